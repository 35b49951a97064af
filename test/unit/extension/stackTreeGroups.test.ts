// The Stacks view of many threads waiting in one place: one group row, the threads folded inside,
// their stack once; two threads in one place stay two rows.
// The fake vscode must answer before any extension module loads: keep this import first.
import '../../support/fakeVscode';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parsePySpyDump } from '../../../src/core/backends/pyspyParse';
import { diagnose } from '../../../src/core/findings/diagnose';
import type { StackDump } from '../../../src/core/model';
import { SourceMapper } from '../../../src/core/mapping/sourceMap';
import { DumpHistory, processKey } from '../../../src/extension/dumps/dumpHistory';
import { StackTreeProvider, type StackNode } from '../../../src/extension/dumps/stackTree';
import { PROGRAMS, REPO } from '../../support/programs';

/** The recorded py-spy --locals dump of many_waiters.py 5 2: MainThread and five workers on work_lock. */
async function recorded(): Promise<StackDump> {
  const json = readFileSync(join(REPO, 'test', 'fixtures', 'outputs', 'pyspy-many-waiters-locals.json'), 'utf8');
  const d = await new SourceMapper({ workspaceRoots: [PROGRAMS] }).mapDump({
    pid: 14635,
    backend: 'py-spy',
    takenAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1,
    threads: parsePySpyDump(json),
    findings: [],
  });
  d.findings = await diagnose(d);
  return d;
}

function tree(dump: StackDump): StackTreeProvider {
  const history = new DumpHistory(5);
  history.add({ key: processKey('local', dump.pid), dump, processName: 'many_waiters.py', where: 'Local', options: {} });
  return new StackTreeProvider(history);
}

const label = (p: StackTreeProvider, n: StackNode) => String(p.getTreeItem(n).label);

describe('Stacks view: threads waiting in one place', () => {
  it('one group row: the threads folded inside, then their stack once, the focus on it', async () => {
    const p = tree(await recorded());
    const roots = p.getChildren();
    assert.deepEqual(
      roots.map((n) => n.kind),
      ['finding', 'finding', 'dump', 'thread', 'group'],
    );
    // The finding's sentence on rows of the default side bar's width: its first words, the rest inside.
    assert.match(
      [label(p, roots[0]!), ...p.getChildren(roots[0]!).map((n) => label(p, n))].join(' '),
      /^5 threads \(worker-4, worker-3, worker-2 and 2 more\) wait to acquire work_lock at many_waiters\.py:\d+ \(descend\), held by MainThread$/,
    );
    const group = roots[4]!;
    const item = p.getTreeItem(group);
    assert.match(String(item.label), /^5 threads wait at many_waiters\.py:\d+ \(descend\)$/);
    assert.equal(item.description, 'idle · same stack');
    assert.equal(item.collapsibleState, 2, 'expanded');
    const [members, ...stack] = p.getChildren(group);
    assert.equal(members!.kind, 'members');
    assert.equal(label(p, members!), '5 threads');
    assert.equal(p.getTreeItem(members!).collapsibleState, 1, 'folded');
    assert.deepEqual(
      p.getChildren(members!).map((n) => label(p, n)),
      ['worker-4', 'worker-3', 'worker-2', 'worker-1', 'worker-0'],
    );
    assert.deepEqual(
      stack.map((n) => n.kind),
      ['frame', 'frame', 'frame', 'frame', 'library'],
    );
    // The mark and the line lead the description (the default side bar cuts a long file name, not them).
    assert.match(String(p.getTreeItem(stack[0]!).description), /^◀ here :\d+ \S+\.py$/);
    const focus = p.focusNode()!;
    assert.equal(focus.parent, group, "the group's own stack, not a folded thread");
    assert.equal(p.getParent(p.getChildren(members!)[0]!), members);
  });

  it('two threads in one place stay two thread rows', async () => {
    const d = await recorded();
    d.threads = d.threads.slice(0, 3);
    const roots = tree(d).getChildren();
    assert.deepEqual(
      roots.filter((n) => n.kind === 'thread' || n.kind === 'group').map((n) => n.kind),
      ['thread', 'thread', 'thread'],
    );
  });
});
