import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildProcessTree,
  compactCpu,
  describeProcess,
  describeProcessRow,
  describeState,
  formatElapsed,
  processRowLabel,
  ROW_NAME_MAX,
  shortenMiddle,
  type ProcessNode,
} from '../../src/core/format/processTree';
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

  it('a Processes row: short facts first (CPU, elapsed time, threads), the pid last; only a state worth a warning is said', () => {
    assert.equal(describeProcessRow(proc(7, 1, { cpuPercent: 1.25, elapsedSeconds: 723, threads: 3, state: 'Sl' })), '1% · 12m03s · pid 7');
    assert.equal(describeProcessRow(proc(8, 1, { cpuPercent: 99.5, state: 'R' })), '100% · 5s · pid 8');
    assert.equal(describeProcessRow(proc(9, 1, { state: 'T' })), 'stopped · 0% · 5s · pid 9');
    assert.equal(describeProcessRow(proc(10, 1, { state: 'D' })), 'disk wait · 0% · 5s · pid 10');
    assert.deepEqual([0, 0.3, 0.99, 1.5, 150].map(compactCpu), ['0%', '<1%', '<1%', '2%', '150%']);
  });

  it('processes of the same name (eight gunicorn workers) carry the pid in the label, not last in the description', () => {
    const worker = proc(4242, 1, { name: 'gunicorn', cpuPercent: 0, elapsedSeconds: 303, threads: 2 });
    assert.equal(processRowLabel(worker, true), 'gunicorn (4242)');
    assert.equal(describeProcessRow(worker, true), '0% · 5m03s');
    assert.equal(processRowLabel(worker), 'gunicorn');
    assert.equal(describeProcessRow(worker), '0% · 5m03s · pid 4242');
  });

  it('a long name is cut from the middle: its start and its extension kept', () => {
    assert.equal(shortenMiddle('nightly_reconciliation_job.py'), 'nightly_reconc…_job.py');
    assert.equal([...shortenMiddle('nightly_reconciliation_job.py')].length, ROW_NAME_MAX);
    assert.equal(shortenMiddle('worker.py'), 'worker.py');
    assert.equal(shortenMiddle('a'.repeat(22)), 'a'.repeat(22));
    assert.equal(shortenMiddle('no_extension_at_all_but_long_anyway'), 'no_extension_at_a…yway');
    assert.equal(processRowLabel(proc(5, 1, { name: 'nightly_reconciliation_job.py' }), true), 'nightly_reconc…_job.py (5)');
  });
});

describe('describeState', () => {
  it('a zombie leader with other threads is a live process whose main thread exited', () => {
    assert.equal(describeState('Zl', 3), 'main thread exited');
    assert.equal(describeState('Z', 1), 'zombie');
    assert.equal(describeState('Z'), 'zombie');
    assert.equal(describeState('Ssl', 4), 'sleeping');
  });
});
