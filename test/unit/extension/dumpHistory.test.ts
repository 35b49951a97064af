// The last dumps per process, the selection the views follow, and "the two to compare".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StackDump } from '../../../src/core/model';
import { DumpHistory, processKey, type DumpEntry } from '../../../src/extension/dumps/dumpHistory';

let clock = 0;
function entry(pid: number, target = 'local'): DumpEntry {
  const dump: StackDump = {
    pid,
    backend: 'py-spy',
    takenAt: new Date(Date.UTC(2026, 0, 1, 0, 0, clock++)).toISOString(),
    durationMs: 1,
    threads: [],
    findings: [],
  };
  return { key: processKey(target, pid), dump, processName: `p${pid}`, where: target, options: {} };
}

describe('dump history', () => {
  it('keeps the newest dumps per process up to the size, and selects each new one', () => {
    const h = new DumpHistory(2);
    let changes = 0;
    h.onDidChange(() => changes++);
    const [a1, a2, a3, b1] = [entry(1), entry(1), entry(1), entry(2)];
    for (const e of [a1, a2, a3, b1]) h.add(e);
    assert.deepEqual(h.forProcess('local:1'), [a3, a2]);
    assert.equal(h.selected, b1);
    assert.equal(changes, 4);
    assert.deepEqual(h.all(), [b1, a3, a2], 'all dumps, newest first');
  });

  it('a listing of the target without the process marks it exited, until it is dumped again', () => {
    const h = new DumpHistory(5);
    h.add(entry(7, 'local'));
    h.add(entry(7, 'docker:abc'));
    let changes = 0;
    h.onDidChange(() => changes++);
    h.noteListed('local', new Set([1, 7]), false);
    assert.equal(h.hasExited('local:7'), false);
    h.noteListed('local', new Set([1]), false);
    assert.equal(h.hasExited('local:7'), true);
    assert.equal(h.hasExited('docker:abc:7'), false, 'another target’s listing says nothing of it');
    assert.equal(changes, 1);
    h.noteListed('local', new Set([1]), false);
    assert.equal(changes, 1, 'told once');
    h.add(entry(7, 'local'));
    assert.equal(h.hasExited('local:7'), false, 'a new dump: it runs (again)');
  });

  it('a Python-only listing says nothing about a non-Python process dumped with gdb', () => {
    const h = new DumpHistory(5);
    const e = entry(9);
    e.source = { process: { isPython: false } } as DumpEntry['source'];
    h.add(e);
    h.noteListed('local', new Set(), false);
    assert.equal(h.hasExited('local:9'), false);
    h.noteListed('local', new Set(), true);
    assert.equal(h.hasExited('local:9'), true);
  });

  it('the same pid on two targets is two processes', () => {
    const h = new DumpHistory(5);
    h.add(entry(1, 'local'));
    h.add(entry(1, 'docker:abc'));
    assert.equal(h.forProcess('local:1').length, 1);
    assert.equal(h.forProcess('docker:abc:1').length, 1);
  });

  it('lastTwo: the selected dump and the one before it of the same process', () => {
    const h = new DumpHistory(5);
    const [a1, a2, a3] = [entry(1), entry(1), entry(1)];
    h.add(a1);
    assert.equal(h.lastTwo(), undefined, 'one dump: nothing to compare');
    h.add(a2);
    h.add(a3);
    assert.deepEqual(h.lastTwo(), [a3, a2]);
    h.select(a2);
    assert.deepEqual(h.lastTwo(), [a2, a1], 'follows an earlier selection');
    assert.deepEqual(
      h.lineage().map((d) => d.takenAt),
      [a2.dump.takenAt, a1.dump.takenAt],
    );
  });

  it('select fires only on a change; shrinking drops a selection that fell out', () => {
    const h = new DumpHistory(3);
    const [a1, a2] = [entry(1), entry(1)];
    h.add(a1);
    h.add(a2);
    let changes = 0;
    h.onDidChange(() => changes++);
    h.select(a2);
    assert.equal(changes, 0);
    h.select(a1);
    h.resize(1);
    assert.equal(h.selected, undefined);
    assert.deepEqual(h.forProcess('local:1'), [a2]);
  });

  it('unsubscribes', () => {
    const h = new DumpHistory(3);
    let changes = 0;
    const off = h.onDidChange(() => changes++);
    off();
    h.add(entry(9));
    assert.equal(changes, 0);
  });
});
