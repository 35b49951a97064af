import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseThreadCpu, parseWakeups, readThreadCpu, readThreadWakeups } from '../../src/core/proc/threadCpu';

describe('thread CPU time from /proc/PID/task/TID/stat', () => {
  it('utime + stime, after a name holding spaces and parentheses', () => {
    const stat = '4242 (a) b (c)) S 1 4242 4242 0 -1 4194368 120 0 0 0 37 5 0 0 20 0 3 0 881 1 2 3';
    assert.equal(parseThreadCpu(stat), 42);
  });

  it('text that is no stat line is unknown, not zero', () => {
    for (const s of ['', 'garbage', '1 (x) S 1 2']) assert.equal(parseThreadCpu(s), undefined, s);
  });

  it("this process's own threads are read; a process that is gone reads as none", () => {
    const mine = readThreadCpu(process.pid);
    assert.ok(mine.has(process.pid));
    assert.equal(readThreadCpu(2 ** 22 + 1).size, 0);
  });

  it('voluntary context switches from a status text; absent or malformed is unknown', () => {
    assert.equal(parseWakeups('Name:\tpython\nvoluntary_ctxt_switches:\t51\nnonvoluntary_ctxt_switches:\t3\n'), 51);
    for (const s of ['', 'Name: x', 'voluntary_ctxt_switches: -1', 'voluntary_ctxt_switches: 9e99']) assert.equal(parseWakeups(s), undefined, s);
    assert.ok(readThreadWakeups(process.pid).has(process.pid));
    assert.equal(readThreadWakeups(2 ** 22 + 1).size, 0);
  });
});
