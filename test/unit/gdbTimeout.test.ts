// gdb's time limit grows with the threads it must walk (500 threads × 60 frames took 51 s of 60).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GDB_BASE_TIMEOUT_MS, GDB_MAX_TIMEOUT_MS, gdbTimeoutMs } from '../../src/core/backends/gdbTimeout';

describe('gdbTimeoutMs', () => {
  it('60 s up to 50 threads and when the count is unknown', () => {
    assert.equal(GDB_BASE_TIMEOUT_MS, 60_000);
    for (const n of [undefined, 0, 1, 50, Number.NaN, -3]) assert.equal(gdbTimeoutMs(n), 60_000, String(n));
  });

  it('plus 100 ms per thread above 50', () => {
    assert.equal(gdbTimeoutMs(51), 60_100);
    assert.equal(gdbTimeoutMs(500), 105_000);
    assert.equal(gdbTimeoutMs(2000), 255_000);
  });

  it('at most 10 minutes, however many threads', () => {
    assert.equal(GDB_MAX_TIMEOUT_MS, 600_000);
    assert.equal(gdbTimeoutMs(100_000), 600_000);
    assert.equal(gdbTimeoutMs(Number.POSITIVE_INFINITY), 60_000, 'not a count');
  });
});
