import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildProcessTree, describeProcess, describeProcessRow, describeState, formatElapsed, type ProcessNode } from '../../src/core/format/processTree';
import type { ProcessInfo } from '../../src/core/model';

const proc = (pid: number, ppid: number, extra: Partial<ProcessInfo> = {}): ProcessInfo => ({
  pid,
  ppid,
  user: 'me',
  state: 'S',
  cpuPercent: 0,
  rssKb: 1000,
  threads: 1,
  elapsedSeconds: 5,
  command: `p${pid}`,
  name: `p${pid}`,
  isPython: true,
  ...extra,
});

const shape = (nodes: ProcessNode[]): unknown => nodes.map((n) => (n.children.length ? { [n.process.pid]: shape(n.children) } : n.process.pid));

describe('buildProcessTree', () => {
  it('nests children under parents; orphans of the list are roots; sorted by pid', () => {
    const tree = buildProcessTree([proc(30, 1), proc(12, 10), proc(10, 1), proc(11, 10), proc(13, 12), proc(99, 50)]);
    assert.deepEqual(shape(tree), [{ 10: [11, { 12: [13] }] }, 30, 99]);
  });

  it('a process that is its own parent (pid 0/1 quirks) is a root, not a loop', () => {
    assert.deepEqual(shape(buildProcessTree([proc(1, 1), proc(2, 1)])), [{ 1: [2] }]);
  });

  it('stays fast with thousands of processes', () => {
    const many = Array.from({ length: 20_000 }, (_, i) => proc(i + 2, i < 100 ? 1 : 2 + (i % 100)));
    const tree = buildProcessTree(many);
    let count = 0;
    const walk = (n: ProcessNode[]) => n.forEach((x) => (count++, walk(x.children)));
    walk(tree);
    assert.equal(count, 20_000);
  });

  it('describes a process in one line', () => {
    assert.equal(
      describeProcess(proc(7, 1, { cpuPercent: 1.25, elapsedSeconds: 723, threads: 3, state: 'Sl' })),
      'pid 7 · sleeping · 1.3% CPU · 12m03s · 3 threads',
    );
    assert.equal(describeState('T'), 'stopped');
    assert.equal(describeState('?'), '?');
    assert.deepEqual([formatElapsed(5), formatElapsed(3600 * 2 + 60 * 4), formatElapsed(86400 * 3 + 3600)], ['5s', '2h04m', '3d1h']);
  });

  it('a Processes row: CPU, elapsed time and threads first, the pid last; only a state worth a warning is said', () => {
    assert.equal(describeProcessRow(proc(7, 1, { cpuPercent: 1.25, elapsedSeconds: 723, threads: 3, state: 'Sl' })), '1.3% CPU · 12m03s · 3 threads · pid 7');
    assert.equal(describeProcessRow(proc(8, 1, { cpuPercent: 99.5, state: 'R' })), '99.5% CPU · 5s · 1 thread · pid 8');
    assert.equal(describeProcessRow(proc(9, 1, { state: 'T' })), 'stopped · 0.0% CPU · 5s · 1 thread · pid 9');
    assert.equal(describeProcessRow(proc(10, 1, { state: 'D' })), 'disk wait · 0.0% CPU · 5s · 1 thread · pid 10');
  });
});
