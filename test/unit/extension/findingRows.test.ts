// A finding in the Stacks view at the side bar's default width: its sentence on rows short enough
// to be read whole, the first one the finding's row, a place never split, every row opening the frame.
// The fake vscode must answer before any extension module loads: keep this import first.
import '../../support/fakeVscode';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding, StackDump } from '../../../src/core/model';
import { DumpHistory, processKey } from '../../../src/extension/dumps/dumpHistory';
import { FINDING_ROW_CHARS, findingLines } from '../../../src/extension/dumps/findingRows';
import { StackTreeProvider } from '../../../src/extension/dumps/stackTree';

const SOCKET = 'MainThread waits 10 s for 127.0.0.1:57101 to answer at socket_recv.py:13 (fetch_reply)';
const DEADLOCK = 'worker-b waits for lock_a at deadlock.py:20 (transfer_b_to_a), held by worker-a: a deadlock';

describe('finding rows', () => {
  it('split a title into rows of at most FINDING_ROW_CHARS characters, in order, every word kept', () => {
    for (const title of [SOCKET, DEADLOCK]) {
      const lines = findingLines(title);
      assert.ok(lines.length > 1, title);
      assert.equal(lines.join(' '), title);
      for (const l of lines) assert.ok(l.length <= FINDING_ROW_CHARS, `${JSON.stringify(l)} is longer than a row`);
    }
    assert.deepEqual(findingLines(SOCKET), ['MainThread waits 10 s for', '127.0.0.1:57101 to answer', 'at socket_recv.py:13 (fetch_reply)']);
  });

  it('keep a place on one row when it fits, and split it only when it cannot fit', () => {
    assert.deepEqual(findingLines('MainThread sleeps at w.py:3 (main), and more words follow', 24), [
      'MainThread sleeps',
      'at w.py:3 (main), and',
      'more words follow',
    ]);
    assert.deepEqual(findingLines('t waits at a_very_long_file_name.py:120 (handler)', 24), ['t waits at', 'a_very_long_file_name.py:120', '(handler)']);
    assert.deepEqual(findingLines('short one'), ['short one']);
  });

  it('in the Stacks view: the first words with the icon, the rest inside (expanded); all rows open the frame', () => {
    const finding: Finding = {
      severity: 'warning',
      kind: 'socket-wait',
      title: SOCKET,
      detail: 'Set a timeout.',
      threadId: 1,
      frame: { file: '/w/socket_recv.py', line: 13, localFile: '/w/socket_recv.py' },
    };
    const dump: StackDump = { pid: 7, backend: 'py-spy', takenAt: '2026-01-01T00:00:00.000Z', durationMs: 1, threads: [], findings: [finding] };
    const history = new DumpHistory(5);
    history.add({ key: processKey('local', 7), dump, processName: 'socket_recv.py', where: 'Local', options: {} });
    const tree = new StackTreeProvider(history);
    const [row] = tree.getChildren();
    const item = tree.getTreeItem(row!);
    assert.equal(item.label, 'MainThread waits 10 s for');
    assert.equal(item.collapsibleState, 2, 'expanded: the whole sentence shows');
    assert.equal(item.accessibilityInformation?.label, `warning: ${SOCKET}`);
    const lines = tree.getChildren(row!).map((n) => tree.getTreeItem(n));
    assert.deepEqual(
      lines.map((l) => l.label),
      ['127.0.0.1:57101 to answer', 'at socket_recv.py:13 (fetch_reply)'],
    );
    for (const i of [item, ...lines]) {
      assert.deepEqual(i.command?.arguments, [{ file: '/w/socket_recv.py', line: 13 }]);
      assert.match(String((i.tooltip as { value: string }).value), /Set a timeout\\\./);
    }
    tree.dispose();
  });
});
