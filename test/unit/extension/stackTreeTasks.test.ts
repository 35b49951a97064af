// The Stacks view and the editor markers of an asyncio program's dump, on a recorded real py-spy
// dump and a recorded real reading of the task reader (asyncio_waits.py under Python 3.12, its
// paths recorded as /srv/app/…): a Tasks row right under the dump, one row a group of tasks
// waiting alike, each expandable to its await chain whose frames open like a thread's; the lines
// the chains pass through are marked; Copy as Markdown has the tasks.
// The fake vscode must answer before any extension module loads: keep this import first.
import '../../support/fakeVscode';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { bySeverity, mapTasks } from '../../../src/core/asyncio/dumpTasks';
import { withTasks } from '../../../src/core/asyncio/taskFindings';
import { parseReport, reportText } from '../../../src/core/asyncio/parseTasks';
import { parsePySpyDump } from '../../../src/core/backends/pyspyParse';
import { diagnose } from '../../../src/core/findings/diagnose';
import { dumpToMarkdown } from '../../../src/core/format/dumpText';
import { taskAfterText, taskHoverMarkdown, taskMarksByFile } from '../../../src/core/format/taskMarks';
import type { StackDump } from '../../../src/core/model';
import { SourceMapper } from '../../../src/core/mapping/sourceMap';
import { DumpHistory, processKey } from '../../../src/extension/dumps/dumpHistory';
import { StackTreeProvider, type StackNode } from '../../../src/extension/dumps/stackTree';
import { MAX_TASK_ROWS, taskNodes } from '../../../src/extension/dumps/taskNodes';
import { hangLine, PROGRAMS, REPO } from '../../support/programs';

const OUTPUTS = join(REPO, 'test', 'fixtures', 'outputs');
const WAITS = 'asyncio_waits.py';

async function recorded(): Promise<StackDump> {
  const mapper = new SourceMapper({ workspaceRoots: [PROGRAMS] });
  const d = await mapper.mapDump({
    pid: 18051,
    backend: 'py-spy',
    takenAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1,
    threads: parsePySpyDump(readFileSync(join(OUTPUTS, 'pyspy-asyncio-waits.json'), 'utf8')),
    findings: [],
  });
  d.findings = await diagnose(d);
  const report = parseReport(reportText(readFileSync(join(OUTPUTS, 'asyncio-reader-waits.txt'), 'utf8'))!, 18051, d.takenAt, 4);
  assert.ok(report.ok);
  // As a live dump does (asyncio/dumpTasks.ts): the tasks mapped, the findings told with them.
  d.asyncio = await mapTasks(report.tasks, mapper);
  d.findings = bySeverity(withTasks(d.findings, d.asyncio));
  return d;
}

function tree(dump: StackDump): StackTreeProvider {
  const history = new DumpHistory(5);
  history.add({ key: processKey('local', dump.pid), dump, processName: WAITS, where: 'Local', options: {} });
  return new StackTreeProvider(history);
}

const label = (p: StackTreeProvider, n: StackNode) => String(p.getTreeItem(n).label);

function groupAt(p: StackTreeProvider, tasks: StackNode, re: RegExp): StackNode {
  const found = p.getChildren(tasks).find((n) => re.test(label(p, n)));
  assert.ok(
    found,
    `a group matches ${re}: ${p
      .getChildren(tasks)
      .map((n) => label(p, n))
      .join(' | ')}`,
  );
  return found;
}

describe('Stacks view: the asyncio tasks of a dump', () => {
  it('a Tasks row under the dump: groups by where they wait, each expandable to its await chain', async () => {
    const d = await recorded();
    const p = tree(d);
    const roots = p.getChildren();
    const at = roots.findIndex((n) => n.kind === 'dump');
    assert.equal(roots[at + 1]?.kind, 'tasks', 'right under the dump row');
    assert.equal(roots[at + 2]?.kind, 'thread');
    const tasks = roots[at + 1]!;
    const item = p.getTreeItem(tasks);
    assert.equal(item.label, 'asyncio tasks');
    assert.match(String(item.description), /^15 tasks: 8 waiting in asyncio\.sleep, /);
    assert.equal(p.getChildren(tasks).length, 12, 'twelve places');

    // Four children sleeping in one place: one group, their chain once, the four tasks folded.
    const sleeping = groupAt(
      p,
      tasks,
      new RegExp(`^4 tasks wait in asyncio\\.sleep at ${WAITS.replace('.', '\\.')}:${hangLine(WAITS, 'child-sleep')} in child$`),
    );
    const [sleepFrame, childFrame, sleeps, members] = p.getChildren(sleeping);
    assert.equal(p.getTreeItem(sleepFrame!).contextValue, 'libraryFrame');
    const child = p.getTreeItem(childFrame!);
    assert.equal(child.label, 'child');
    assert.equal(child.description, `◀ here :${hangLine(WAITS, 'child-sleep')} ${WAITS}`);
    assert.deepEqual((child.command as { arguments: unknown[] }).arguments, [{ file: join(PROGRAMS, WAITS), line: hangLine(WAITS, 'child-sleep') }]);
    // The four children sleep 3001–3004 s: the group says the range, not its first task's delay.
    assert.equal(label(p, sleeps!), 'sleeps 3001–3004 s');
    assert.equal(members!.kind, 'taskMembers');
    assert.equal(label(p, members!), '4 tasks');
    const one = p.getChildren(members!);
    assert.equal(one.length, 4);
    assert.equal(one[0]!.kind, 'task');
    assert.ok(
      p.getChildren(one[0]!).some((n) => n.kind === 'frame' && n.frame.function === 'child'),
      'each task with its own chain',
    );
    assert.equal(p.getParent(p.getChildren(one[0]!)[0]!), one[0]);

    // What a chain ends in is said under it; a wait nothing can end is flagged.
    const gather = groupAt(p, tasks, /^Task-10 waits for a gather at/);
    assert.match(String(p.getTreeItem(gather).description), /^awaits a gather of /);
    const lonely = groupAt(p, tasks, /^Task-3 waits for an Event at asyncio_waits\.py:\d+ in wait_lonely_event$/);
    assert.match(String(p.getTreeItem(lonely).description), /nothing can complete it/);
    assert.equal((p.getTreeItem(lonely).iconPath as { id: string }).id, 'warning');

    // The reveal after a dump stays on a thread's frame: tasks are not threads.
    assert.equal(p.focusNode()?.thread.name, 'MainThread');
  });

  it('names from the target are neutralised; a huge group lists its first tasks', async () => {
    const d = await recorded();
    const t = d.asyncio!.tasks.find((x) => x.name === 'Task-3')!;
    t.name = 'evil\u202Egnp.exe\n[x](command:rm)';
    const p = tree(d);
    const tasks = p.getChildren().find((n) => n.kind === 'tasks')!;
    const lonely = groupAt(p, tasks, /^evil/);
    const text = label(p, lonely) + String(p.getTreeItem(lonely).tooltip);
    assert.doesNotMatch(text, /\u202E/);
    assert.doesNotMatch(label(p, lonely), /\n/);

    const many = structuredClone(d.asyncio!);
    const proto = many.tasks.find((x) => x.frames.some((f) => f.function === 'child'))!;
    many.tasks = Array.from({ length: MAX_TASK_ROWS + 20 }, (_, i) => ({ ...proto, id: `0x${i.toString(16)}`, name: `Task-${i}` }));
    const root = taskNodes(many, 'k', () => []);
    const group = root.children[0]!;
    assert.equal(group.kind, 'taskGroup');
    const members = group.children.find((n) => n.kind === 'taskMembers');
    assert.equal(members?.kind, 'taskMembers');
    assert.equal(members.children.length, MAX_TASK_ROWS + 1);
    assert.deepEqual(members.children.at(-1), {
      kind: 'note',
      id: 'k/tasks/g0/tasks/more',
      text: '… 20 more tasks (Save Dump as JSON has every task)',
      parent: members,
    });
  });

  it("the lines the tasks' chains pass through are marked, the hover links each frame", async () => {
    const d = await recorded();
    const marks = taskMarksByFile(d.asyncio!).get(join(PROGRAMS, WAITS));
    assert.ok(marks);
    const child = marks.find((m) => m.line === hangLine(WAITS, 'child-sleep'))!;
    assert.equal(child.innermost, true);
    assert.equal(taskAfterText(child), '⏸ 4 tasks wait here');
    const lonely = marks.find((m) => m.line === hangLine(WAITS, 'lonely-event'))!;
    assert.equal(taskAfterText(lonely), '⏸ task Task-3 waits here');
    // The gather's line: its own task waits there, the children it gathered pass through it.
    const gather = marks.find((m) => m.line === hangLine(WAITS, 'gather'))!;
    assert.ok(gather.groups.length >= 1);
    const hover = taskHoverMarkdown(d.asyncio!, lonely, { openCommand: 'snag.openFrame' });
    // Escaped Markdown: the names are text, never emphasis or links of their own.
    assert.match(hover, /^\*\*⏸ Task\\-3 waits for an Event at asyncio\\_waits\\\.py\\:21 in wait\\_lonely\\_event\*\*\n/);
    assert.match(
      hover,
      /- \*\*\[wait\\_lonely\\_event\]\(command:snag\.openFrame\?[^)]*asyncio_waits\.py%22%2C%22line%22%3A21%7D%5D "[^"]*"\) — `asyncio_waits\.py:21`\*\* ◀/,
    );
    assert.match(hover, /nothing can complete it/);
  });

  it('Copy as Markdown has the tasks, grouped, their chains fenced', async () => {
    const md = dumpToMarkdown(await recorded());
    // Names are escaped text in Markdown; read past the escapes.
    const plain = md.replace(/\\(.)/g, '$1');
    assert.match(plain, /^#### asyncio: 15 tasks: 8 waiting in asyncio\.sleep/m);
    assert.match(plain, /idle asyncio event loop[^\n]*15 tasks/);
    assert.match(
      plain,
      new RegExp(`^\\*\\*4 tasks wait in asyncio\\.sleep at asyncio_waits\\.py:${hangLine(WAITS, 'child-sleep')} in child\\*\\* — Task-14, `, 'm'),
    );
    assert.match(md, new RegExp(`\`\`\`\\n {2}sleep \\([^\\n]*\\n▶ child \\([^\\n]*asyncio_waits\\.py:${hangLine(WAITS, 'child-sleep')}\\)\\n`));
  });
});
