// Forged output: names from the target (thread, file, function, local variable, process) holding
// terminal escapes, BEL, newlines and right-to-left overrides must reach no person raw — not the
// terminal (`snag dump`, `snag ps`, error lines), not a tree row, hover, tooltip, notification or
// Markdown copy — and must never start a line of their own. `--json` keeps the exact strings.
// The fake vscode must answer before any extension module loads: keep this import first.
import { shownMessages } from '../support/fakeVscode';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SnagError } from '../../src/core/errors';
import { compareDumps, comparisonToMarkdown } from '../../src/core/format/compareDumps';
import { dumpToMarkdown, dumpToText } from '../../src/core/format/dumpText';
import { afterText, marksByFile } from '../../src/core/format/frameMarks';
import { safeText } from '../../src/core/text/safeText';
import { describeProcess, processCommandLine, processLabel } from '../../src/core/format/processTree';
import { describeThread, profileToText } from '../../src/core/format/profileText';
import { hoverMarkdown } from '../../src/core/format/stackHover';
import type { Frame, ProcessInfo, Profile, StackDump, ThreadStack } from '../../src/core/model';
import { DumpHistory, processKey } from '../../src/extension/dumps/dumpHistory';
import { showSnagError } from '../../src/extension/errorNotification';
import type { Fixes } from '../../src/extension/fixes';
import { ProcessTreeProvider, type ProcessTreeNode } from '../../src/extension/targets/processTree';
import { StackTreeProvider, type StackNode } from '../../src/extension/dumps/stackTree';
import type { TargetProviders } from '../../src/extension/targets/targetProviders';
import { startProgram, type Started } from '../support/programs';
import { ensureBuilt, isOneLine, runCli } from '../support/snag';
import { requireTool } from '../support/tools';

const TITLE = '\x1b]0;pwned\x07';
const CLEAR = '\x1b[2J';
const FORGED = '\nThread 1 (active): "FORGED"';
const RLO = '\u202e';
/** What forged_names.py puts in its thread, function and local names. */
const HOSTILE = TITLE + CLEAR + FORGED + RLO;

/** A raw control or bidi character (ESC, BEL, CR, C1, RLO and friends); newlines are checked apart. */
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
/** The forged headline at the start of a line: what the attacker wants a reader to see. */
const FORGED_LINE = /^Thread 1 \(active\): "FORGED"/m;

function assertNeutral(text: string, what: string): void {
  const at = text.search(RAW);
  assert.equal(at, -1, `${what} holds a raw control/bidi character at ${at}: ${JSON.stringify(text.slice(Math.max(0, at - 20), at + 20))}`);
  assert.doesNotMatch(text, FORGED_LINE, `${what} has a forged line`);
}

function frame(fn: string, file: string, line: number, extra: Partial<Frame> = {}): Frame {
  return { function: fn, file, line, native: false, isUserCode: true, localFile: file, ...extra };
}

function thread(id: number, name: string, frames: Frame[]): ThreadStack {
  return { id, name, active: false, ownsGil: false, frames };
}

const EVIL_FILE = `/app/w${HOSTILE}.py`;
const EVIL_FN = 'fetch' + HOSTILE;
/** A dump built from hostile names, for the format-level cases. */
function hostileDump(takenAt = '2026-01-01T00:00:00.000Z'): StackDump {
  return {
    pid: 7,
    backend: 'py-spy',
    takenAt,
    durationMs: 3,
    threads: [
      thread(1, 't' + HOSTILE, [
        frame(EVIL_FN, EVIL_FILE, 12, { locals: [{ name: 'v' + HOSTILE, repr: `'${HOSTILE}'`, isArg: false }], note: 'note' + HOSTILE }),
      ]),
      thread(2, 'MainThread', [frame('main', '/app/main.py', 3)]),
    ],
    findings: [{ severity: 'warning', kind: 'socket-wait', title: `t${HOSTILE} waits in \`${EVIL_FN}\``, detail: `see ${HOSTILE}`, threadId: 1 }],
    notes: ['note' + HOSTILE],
  };
}

describe('forged output: a real stuck program with hostile names, through the built CLI and the real py-spy', () => {
  let dir: string;
  let program: Started | undefined;
  let pyspy: string | undefined;

  before(async () => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'snag-forged-'));
  });
  after(() => {
    program?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The program, started once for the cases that need it (py-spy found or the case skipped/failed). */
  async function stuck(t: Parameters<typeof requireTool>[0]): Promise<Started | undefined> {
    pyspy ??= requireTool(t, 'py-spy');
    if (!pyspy) return undefined;
    program ??= await startProgram('forged_names.py', [dir]);
    return program;
  }

  it('snag dump --locals (text): no raw escape, BEL or RLO anywhere, and no forged line', async (t) => {
    const p = await stuck(t);
    if (!p) return;
    const r = await runCli(['dump', String(p.pid), '--locals', '--pyspy', pyspy!, '--root', dir]);
    assert.equal(r.code, 0, r.stderr);
    assertNeutral(r.stdout, 'snag dump text');
    // Every hostile part is shown, escaped, where it belongs.
    // The name's own quotes escaped too: it cannot close the quoted name early.
    assert.ok(r.stdout.includes('"t\\e]0;pwned\\x07\\e[2J\\nThread 1 (active): \\"FORGED\\"\\u202e"'), r.stdout);
    assert.ok(r.stdout.includes('fn\\e]0;pwned\\x07'), 'the function name');
    assert.ok(r.stdout.includes('stuck\\e]0;pwned\\x07\\u202e\\nThread 1 (active): "FORGED".py'), 'the file name');
    assert.ok(r.stdout.includes('loc\\e]0;pwned\\x07'), 'the local variable');
  });

  it('snag dump (text): exactly one headline per thread, each at the start of its line', async (t) => {
    const p = await stuck(t);
    if (!p) return;
    // One after the other: two debuggers cannot attach to one process at once.
    const text = await runCli(['dump', String(p.pid), '--pyspy', pyspy!]);
    const json = await runCli(['dump', String(p.pid), '--json', '--pyspy', pyspy!]);
    assert.equal(text.code, 0, text.stderr);
    assert.equal(json.code, 0, json.stderr);
    const threads = (JSON.parse(json.stdout) as { threads: unknown[] }).threads.length;
    assert.equal(text.stdout.split('\n').filter((l) => l.startsWith('Thread ')).length, threads, text.stdout);
  });

  it('snag dump --json keeps the exact thread, function, file and local names', async (t) => {
    const p = await stuck(t);
    if (!p) return;
    const r = await runCli(['dump', String(p.pid), '--json', '--locals', '--pyspy', pyspy!]);
    assert.equal(r.code, 0, r.stderr);
    const d = JSON.parse(r.stdout) as StackDump;
    const evil = d.threads.find((x) => x.name === 't' + HOSTILE);
    assert.ok(evil, `no thread named exactly ${JSON.stringify('t' + HOSTILE)}: ${d.threads.map((x) => JSON.stringify(x.name)).join(', ')}`);
    const f = evil.frames.find((x) => x.function === 'fn' + HOSTILE);
    assert.ok(f, JSON.stringify(evil.frames.map((x) => x.function)));
    assert.equal(f.file, join(dir, `stuck${TITLE}${RLO}${FORGED}.py`));
    assert.ok(
      f.locals?.some((l) => l.name === 'loc' + HOSTILE && l.repr?.includes('\x1b]0;pwned\x07')),
      JSON.stringify(f.locals),
    );
  });

  it('snag ps (text) shows the hostile process neutralised; --json keeps its command line exactly', async (t) => {
    const p = await stuck(t);
    if (!p) return;
    const [text, json] = await Promise.all([runCli(['ps']), runCli(['ps', '--json'])]);
    assert.equal(text.code, 0, text.stderr);
    assertNeutral(text.stdout, 'snag ps text');
    // The command line comes from /proc exactly (ps would show ESC and BEL as `?`): --json keeps it.
    const listed = (JSON.parse(json.stdout) as ProcessInfo[]).find((x) => x.pid === p.pid);
    assert.ok(listed?.name.startsWith('stuck') && listed.name.includes(RLO) && listed.name.includes('\x1b]0;pwned\x07'), JSON.stringify(listed));
    const row = text.stdout.split('\n').find((l) => l.includes(`pid ${p.pid} `));
    assert.ok(row?.includes(`${safeText(listed!.name)}  pid`), `row: ${row}`);
  });
});

describe('forged output: error lines and notifications', () => {
  before(() => ensureBuilt());

  it('the CLI error line quotes hostile input neutralised, on one line', async () => {
    const r = await runCli(['dump', '1', '--map', `${CLEAR}${FORGED}${RLO}`]);
    assert.equal(r.code, 2);
    assertNeutral(r.stderr, 'stderr');
    assert.ok(isOneLine(r.stderr), JSON.stringify(r.stderr));
    assert.ok(r.stderr.includes('\\e[2J'), r.stderr);
  });

  it('an error notification shows the message neutralised', async () => {
    shownMessages.length = 0;
    const fixes = { actions: () => ({}), label: (f: string) => f } as unknown as Fixes;
    await showSnagError(new SnagError('process-gone', `Process "w${TITLE}${RLO}" has ended.`), fixes);
    assert.equal(shownMessages.length, 1);
    assertNeutral(shownMessages[0]!.message, 'notification');
    assert.ok(shownMessages[0]!.message.includes('w\\e]0;pwned\\x07\\u202e'), shownMessages[0]!.message);
  });
});

describe('forged output: every format Snag renders', () => {
  it('dump text of hostile names: neutral, one headline per thread', () => {
    const text = dumpToText(hostileDump(), { highlight: (s) => `\x1b[1m${s}\x1b[0m` });
    // Snag's own bold stays (it is Snag's); nothing else may be raw.
    // eslint-disable-next-line no-control-regex
    assertNeutral(text.replace(/\x1b\[[01]m/g, ''), 'dumpToText');
    assert.equal(text.split('\n').filter((l) => l.startsWith('Thread ')).length, 2);
  });

  it('the hover: no forged link or command link, the path title cannot end the link, nothing raw', () => {
    const d = hostileDump();
    const link = '[x](command:snag.openFrame?%5B%7B%22file%22%3A%22%2Fetc%2Fpasswd%22%2C%22line%22%3A1%7D%5D)';
    d.threads[0]!.name = `**${link}** ${HOSTILE}`;
    d.threads[0]!.frames[0]!.function = `${link}\`${HOSTILE}`;
    // A path ending the link title early, then starting a link of its own.
    const file = `/app/a\\" )${link}${HOSTILE}.py`;
    Object.assign(d.threads[0]!.frames[0]!, { file, localFile: file });
    const [mark] = [...marksByFile(d).values()][0]!;
    const md = hoverMarkdown(d, mark!, { openCommand: 'snag.openFrame' });
    // Code spans are not Markdown (the location is one): what remains holds one command link per
    // frame with a document, Snag's own, and no unescaped `[x](…)` of the name's.
    const outside = md.replace(/\\./g, '').replace(/`[^`]*`/g, '');
    assert.equal(outside.split('](command:').length - 1, 1, md);
    assert.doesNotMatch(outside, /\[x\]/, 'an unescaped [x] would render as a link');
    assertNeutral(md, 'hover');
  });

  it('process rows: name, state and command line neutralised (an RLO cannot reverse the row)', () => {
    const p: ProcessInfo = {
      pid: 9,
      ppid: 1,
      user: 'me',
      state: `S${RLO}`,
      cpuPercent: 0,
      rssKb: 1,
      threads: 1,
      elapsedSeconds: 5,
      command: `python3 evil${HOSTILE}.py`,
      name: `evil${RLO}yp.exe${FORGED}`,
      isPython: true,
    };
    for (const [what, s] of [
      ['label', processLabel(p)],
      ['description', describeProcess(p)],
      ['command', processCommandLine(p)],
    ] as const) {
      assertNeutral(s, what);
      assert.ok(!s.includes('\n'), `${what}: ${s}`);
    }
    assert.equal(processLabel(p), 'evil\\u202eyp.exe\\nThread 1 (active): "FORGED"');
  });

  it('Copy as Markdown: one fence pair per thread, escaped names, nothing raw', () => {
    const d = hostileDump();
    d.threads[0]!.frames[0]!.function = '```\n[x](https://evil.example)\n```';
    d.threads[0]!.name = '**bold** [x](https://evil.example)';
    const md = dumpToMarkdown(d);
    const fences = md.split('\n').filter((l) => /^`{3,}/.test(l));
    assert.equal(fences.length, 4, md);
    assert.ok(md.includes('\\*\\*bold\\*\\* \\[x\\]\\(https\\://evil\\.example\\)'), md);
    assertNeutral(md, 'dumpToMarkdown');
  });

  it('Copy as Text (the same text as the terminal) of hostile names is neutral', () => {
    assertNeutral(dumpToText(hostileDump()), 'Copy as Text');
  });

  it('the comparison report: every row keeps its 4 cells, names escaped, nothing raw', () => {
    const older = hostileDump('2026-01-01T00:00:00.000Z');
    const newer = hostileDump('2026-01-01T00:00:30.000Z');
    for (const d of [older, newer]) {
      d.threads[0]!.name = `a|b\`c${HOSTILE}`;
      d.threads[0]!.frames[0]!.function = 'f|`g`';
    }
    const md = comparisonToMarkdown(compareDumps(older, newer));
    const rows = md.split('\n').filter((l) => l.startsWith('| '));
    assert.equal(rows.length, 2 + 2, md);
    for (const r of rows) assert.equal(r.replace(/\\\|/g, '').split('|').length - 1, 5, r);
    assertNeutral(md, 'comparison');
  });

  it('sampling text and headlines (terminal, status bar, view) are neutral', () => {
    const at = { function: EVIL_FN, file: EVIL_FILE, line: 12, native: false };
    const p: Profile = {
      pid: 7,
      rateHz: 10,
      method: 'py-spy record',
      startedAt: '2026-01-01T00:00:00Z',
      durationMs: 1000,
      samples: 10,
      stuckAfterSeconds: 3,
      threads: [{ id: 1, name: 't' + HOSTILE, samples: 10, status: 'stuck', sameStackSeconds: 5, at, firstSeenMs: 0, lastSeenMs: 1000 }],
      functions: [{ ...at, isUserCode: true, own: 10, total: 10 }],
      lines: [{ ...at, isUserCode: true, own: 10, total: 10 }],
      frames: [{ ...at, isUserCode: true }],
      stacks: [{ threadId: 1, frames: [0], count: 10 }],
      notes: ['n' + HOSTILE],
      findings: hostileDump().findings,
    };
    assertNeutral(describeThread(p.threads[0]!), 'describeThread');
    assertNeutral(profileToText(p), 'profileToText');
  });

  it("the decorations' after-text names the threads neutralised", () => {
    const d = hostileDump();
    d.threads[1]!.frames[0] = { ...d.threads[0]!.frames[0]! };
    for (const marks of marksByFile(d).values()) for (const m of marks) assertNeutral(afterText(m, new Map([[1, 42]])), 'after-text');
  });
});

describe('forged output: the extension views (tree items built by the real providers)', () => {
  const text = (x: unknown): string => (typeof x === 'string' ? x : x && typeof x === 'object' && 'value' in x ? String((x as { value: unknown }).value) : '');

  it('a Processes row with an RLO and escapes in its name: label, description, tooltip, accessibility', () => {
    const providers = { onDidChange: () => ({ dispose() {} }), all: () => [] } as unknown as TargetProviders;
    const tree = new ProcessTreeProvider(providers, true);
    const p: ProcessInfo = {
      pid: 9,
      ppid: 1,
      user: `me${RLO}`,
      state: 'S',
      cpuPercent: 0,
      rssKb: 1,
      threads: 1,
      elapsedSeconds: 5,
      command: `python3 evil${HOSTILE}.py \`\`\`\n[x](command:evil)`,
      name: `evil${RLO}yp.exe${FORGED}`,
      exe: `/usr/bin/python3${TITLE}`,
      isPython: true,
    };
    const nodes: ProcessTreeNode[] = [
      { kind: 'process', groupId: 'local', target: {} as never, process: p, path: ['Local'], children: [] },
      { kind: 'message', id: 'm', text: `listing failed: ${HOSTILE}`, icon: 'error', tooltip: `why${HOSTILE}` },
      { kind: 'group', group: { id: 'g', label: `box${RLO}`, description: `img${HOSTILE}`, tooltip: `tip${HOSTILE}` }, path: [], depth: 0 },
    ];
    for (const n of nodes) {
      const item = tree.getTreeItem(n);
      for (const [what, s] of [
        ['label', item.label],
        ['description', item.description],
        ['tooltip', text(item.tooltip)],
        ['accessibility', item.accessibilityInformation?.label],
      ] as const) {
        if (typeof s === 'string') assertNeutral(s, `${n.kind} ${what}`);
      }
    }
    const row = tree.getTreeItem(nodes[0]!);
    // The label is the neutralised name cut from the middle for the side bar; the whole of it is in the accessibility label.
    assert.equal(row.label, 'evil\\u202eyp.exe\\…GED"');
    assert.ok(row.accessibilityInformation?.label.startsWith('evil\\u202eyp.exe\\nThread 1 (active): "FORGED"'), row.accessibilityInformation?.label);
    // The command line's ``` cannot close its code block: outside the block, no link of its own.
    const outsideBlock = text(row.tooltip).replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/m, '');
    assert.ok(outsideBlock !== text(row.tooltip) && !outsideBlock.includes('[x](command:'), text(row.tooltip));
    tree.dispose();
  });

  it('Stacks rows of a hostile dump: every thread, frame, local, note and finding row is neutral', () => {
    const history = new DumpHistory(5);
    history.add({ key: processKey('local', 7), dump: hostileDump(), processName: `w${HOSTILE}`, where: `Local${RLO}`, options: {} });
    const tree = new StackTreeProvider(history);
    const walk = (nodes: StackNode[]): StackNode[] => nodes.flatMap((n) => [n, ...walk(tree.getChildren(n))]);
    const all = walk(tree.getChildren());
    assert.ok(all.some((n) => n.kind === 'local') && all.some((n) => n.kind === 'thread') && all.some((n) => n.kind === 'note'), all.map((n) => n.kind).join());
    for (const n of all) {
      const item = tree.getTreeItem(n);
      for (const [what, s] of [
        ['label', item.label],
        ['description', item.description],
        ['tooltip', text(item.tooltip)],
        ['accessibility', item.accessibilityInformation?.label],
      ] as const) {
        if (typeof s === 'string') assertNeutral(s, `${n.kind} ${what}`);
        if (typeof s === 'string' && what !== 'tooltip') assert.ok(!s.includes('\n'), `${n.kind} ${what} breaks the row: ${JSON.stringify(s)}`);
      }
    }
    tree.dispose();
  });
});
