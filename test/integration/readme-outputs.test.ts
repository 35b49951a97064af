// The README quotes what Snag prints for the demo's stuck worker (examples/stuck-worker): the
// `snag dump` block under the demo and the finding texts quoted elsewhere. This runs the demo's two
// programs as the demo does, dumps the worker with the built CLI and the real py-spy, and compares:
// the README may leave lines out (a line of `…`), never change one. What differs from machine to
// machine (pids, ports, paths, the time, the seconds waited) is written as the README writes it.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PYTHON, REPO } from '../support/programs';
import { ensureBuilt, runCli } from '../support/snag';
import { requireTool } from '../support/tools';

const EXAMPLE = join(REPO, 'examples', 'stuck-worker');
const BLOCK_MARK = '<!-- product-output: snag dump of the demo worker';
/** What the README writes for the values that differ between runs. */
const README_FORM = { pid: 4242, storePort: 8000, clientPort: 51234, seconds: 30, repo: '/home/you/snag', python: '3.11', time: '2026-11-23T02:34:08.684Z' };

interface Running {
  child: ChildProcess;
  output: () => string;
}

const started: ChildProcess[] = [];

/** Starts one of the demo's programs in its own process group; resolves when its output matches `ready`. */
function startDemoProgram(script: string, args: string[], ready: RegExp): Promise<Running> {
  const child = spawn(PYTHON, ['-u', join(EXAMPLE, script), ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: EXAMPLE, detached: true });
  started.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const seen = (b: Buffer) => {
      out += b.toString();
      if (ready.test(out)) resolve({ child, output: () => out });
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', seen);
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}: ${out}`)));
  });
}

function stopAll(): void {
  for (const c of started)
    try {
      process.kill(-(c.pid ?? 0), 'SIGKILL');
    } catch {
      /* gone */
    }
}

/** Writes a dump's text the way the README quotes it (see README_FORM). */
export function inReadmeForm(text: string, o: { pid: number; storePort: number; repo: string }): string {
  const threadIds = new Map<string, number>();
  let out = text.replace(/^Thread (\d+)/gm, (_, id: string) => {
    if (!threadIds.has(id))
      threadIds.set(id, id === String(o.pid) ? README_FORM.pid : README_FORM.pid + 1 + threadIds.size - (threadIds.has(String(o.pid)) ? 1 : 0));
    return `Thread ${threadIds.get(id)}`;
  });
  out = out
    .replace(new RegExp(`\\b${o.pid}\\b`, 'g'), String(README_FORM.pid))
    .replace(new RegExp(`127\\.0\\.0\\.1:${o.storePort}\\b`, 'g'), `127.0.0.1:${README_FORM.storePort}`)
    .replace(/127\.0\.0\.1:(?!8000\b)\d+/g, `127.0.0.1:${README_FORM.clientPort}`)
    .split(o.repo)
    .join(README_FORM.repo)
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, README_FORM.time)
    .replace(/Python 3\.\d+(\.\d+)?/g, `Python ${README_FORM.python}`)
    .replace(/waits \d+ s for (?=\S+ to answer)/g, `waits ${README_FORM.seconds} s for `)
    .replace(/on it for \d+ s\b/g, `on it for ${README_FORM.seconds} s`);
  return out;
}

/**
 * Whether `quoted` is `actual` with some runs of lines left out, each shown as one line of `…`
 * (any indent). Returns why not, or undefined when it is.
 */
export function abridgedMismatch(quoted: string[], actual: string[]): string | undefined {
  let i = 0;
  let gap = false;
  for (const line of quoted) {
    if (line.trim() === '…') {
      gap = true;
      continue;
    }
    let j = i;
    if (gap) while (j < actual.length && actual[j] !== line) j++;
    if (actual[j] !== line)
      return `README line ${JSON.stringify(line)} is not what the product prints${gap ? ' later on' : ''} (there: ${JSON.stringify(actual[i])})`;
    i = j + 1;
    gap = false;
  }
  if (!gap && i < actual.length) return `the product prints more after the README's last line: ${JSON.stringify(actual[i])}`;
  return undefined;
}

/** The marked block's lines, without the command line that opens it. */
function readmeBlock(readme: string): string[] {
  const at = readme.indexOf(BLOCK_MARK);
  assert.ok(at >= 0, 'the README has no snag dump block of the demo worker');
  const fence = readme.indexOf('```\n', at);
  const end = readme.indexOf('\n```', fence + 4);
  return readme
    .slice(fence + 4, end)
    .split('\n')
    .filter((l) => !l.startsWith('$ '));
}

describe('the README quotes the product on the demo worker', () => {
  let dumpText = '';
  before(async () => {
    ensureBuilt();
  });
  after(stopAll);

  it('the demo worker hangs in its download while its heartbeat keeps logging', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    const store = await startDemoProgram('blob_store.py', [], /^listening on (\S+)$/m);
    const url = /^listening on (\S+)$/m.exec(store.output())![1]!;
    const storePort = Number(new URL(url).port);
    const catalogue = join(mkdtempSync(join(tmpdir(), 'snag-readme-')), 'catalogue.jsonl');
    const worker = await startDemoProgram('worker.py', ['--store', url, '--catalogue', catalogue], /downloading \S+G0004\.nc/);
    const pid = worker.child.pid!;
    // The log line comes just before the request; dump until MainThread has been in the read for a
    // second or more, as in the README (a condition, not a delay).
    let text = '';
    for (let attempt = 0; attempt < 200 && !/^warning: MainThread waits \d+ s for/m.test(text); attempt++) {
      const r = await runCli(['dump', String(pid), '--root', join('examples', 'stuck-worker')], { env: { ...process.env, SNAG_PYSPY: pyspy } });
      assert.equal(r.code, 0, r.stderr);
      text = r.stdout;
    }
    dumpText = inReadmeForm(text, { pid, storePort, repo: REPO });
    assert.match(dumpText, /^warning: MainThread waits \d+ s for/m, dumpText);
    assert.match(worker.output(), /downloading \S+G0004\.nc/);
    assert.doesNotMatch(worker.output(), /G0005/, 'the worker never gets past granule 4');
  });

  it('the snag dump block under the demo is what snag dump prints (lines left out at most)', (t) => {
    if (!dumpText) return t.skip('no dump (the first step did not get one)');
    const quoted = readmeBlock(readFileSync(join(REPO, 'README.md'), 'utf8'));
    const why = abridgedMismatch(quoted, dumpText.trimEnd().split('\n'));
    assert.equal(why, undefined, `${why}\n--- snag dump, in the README's form:\n${dumpText}`);
  });

  it('every quoted "MainThread waits …" finding in the README begins the finding snag dump gives', (t) => {
    if (!dumpText) return t.skip('no dump (the first step did not get one)');
    const title = /^warning: (MainThread waits .*)$/m.exec(dumpText)![1]!;
    // Quotes wrap across lines in the prose; the block above is checked whole, so it is left out here.
    const text = readFileSync(join(REPO, 'README.md'), 'utf8');
    const block = text.indexOf(BLOCK_MARK);
    const readme = (text.slice(0, block) + text.slice(text.indexOf('\n```\n', text.indexOf('```\n', block) + 4))).replace(/\s+/g, ' ');
    const quotes = [...readme.matchAll(/(?<=["`]|warning: )MainThread waits [^"`]*/g)].map((m) => m[0].trim());
    assert.ok(quotes.length >= 3, `quotes found: ${JSON.stringify(quotes)}`);
    for (const q of quotes) assert.ok(title.startsWith(q), `the README quotes "${q}"; snag dump says "${title}"`);
  });
});

describe('comparing an abridged quote', () => {
  it('allows left-out runs only where the quote says …, and no changed line', () => {
    const actual = ['a', 'b', 'c', 'd'];
    assert.equal(abridgedMismatch(['a', 'b', 'c', 'd'], actual), undefined);
    assert.equal(abridgedMismatch(['a', '  …', 'd'], actual), undefined);
    assert.equal(abridgedMismatch(['a', '…'], actual), undefined);
    assert.match(abridgedMismatch(['a', 'c', 'd'], actual) ?? '', /"c"/);
    assert.match(abridgedMismatch(['a', 'b'], actual) ?? '', /prints more/);
    assert.match(abridgedMismatch(['a', '…', 'x'], actual) ?? '', /"x"/);
  });
});
