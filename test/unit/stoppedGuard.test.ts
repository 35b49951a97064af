import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isStopped, parseTaskStates } from '../../src/core/backends/stoppedGuard';

describe('parseTaskStates', () => {
  it('reads each task\'s state, also when the thread name holds spaces and parentheses', () => {
    const text = [
      '4242 (python3) S 1 4242 4242 0 -1 4194560 1234 0 0 0 5 1 0 0 20 0 3 0',
      '4243 (worker (a) ) T 1 4242 4242 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 3 0',
      '4244 (ZMQbg/IO/0) t 1 4242 4242 0 -1 4194624 0 0 0 0 0 0 0 0 20 0 3 0',
      '',
    ].join('\n');
    const s = parseTaskStates(text);
    assert.deepEqual([...s], [
      [4242, 'S'],
      [4243, 'T'],
      [4244, 't'],
    ]);
    assert.equal(isStopped(s), true);
    // Tracing stop (t) is gdb at work, not a stopped process.
    assert.equal(isStopped(new Map([[1, 't'], [2, 'S']])), false);
  });

  it('nothing for a process that is gone', () => {
    assert.equal(parseTaskStates('').size, 0);
  });
});
