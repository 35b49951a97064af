// /proc/PID/task/TID/syscall as recorded from real threads (x86_64): a recv on fd 4, a sleep
// (clock_nanosleep: no descriptor), a running thread, and one unreadable without ptrace rights.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBlockedCall, parseBlockedFd } from '../../src/core/proc/blockedFd';

describe('parseBlockedFd', () => {
  it('a recvfrom names its descriptor', () => {
    assert.equal(parseBlockedFd('45 0x4 0x7fab3b3f6030 0xa 0x0 0x0 0x0 0x7ffd54173e28 0x7fab3b528929\n', 'x64'), 4);
  });
  it('a sleep, a running thread or an unreadable file names none', () => {
    assert.equal(parseBlockedFd('230 0x1 0x1 0x7fff17575cd0 0x0 0x0 0x0 0x7fff17575cb8 0x7f76e5aed503\n', 'x64'), undefined);
    assert.equal(parseBlockedFd('running\n', 'x64'), undefined);
    assert.equal(parseBlockedFd('-1 0x7ffd54173e28 0x7fab3b528929\n', 'x64'), undefined);
    assert.equal(parseBlockedFd('', 'x64'), undefined);
  });
  it('the numbers are per machine: arm64 has its own table, others none', () => {
    assert.equal(parseBlockedFd('207 0x9 0x0 0x0', 'arm64'), 9);
    assert.equal(parseBlockedFd('45 0x4 0x0', 'arm64'), undefined);
    assert.equal(parseBlockedFd('45 0x4 0x0', 'ia32'), undefined);
  });
});

describe('the kind of call a thread sleeps in (/proc/PID/task/TID/syscall)', () => {
  it('futex, a timed sleep, a poll; running or outside a call says nothing', () => {
    // Read on Linux 6.1 x86_64: a GIL waiter (futex), time.sleep on 3.12 (clock_nanosleep), on 3.9 (select).
    assert.equal(parseBlockedCall('202 0x7f2e5e8ed000 0x189 0x0 0x0 0x0 0xffffffff 0x7ffd 0x7f2e', 'x64'), 'futex');
    assert.equal(parseBlockedCall('230 0x1 0x1 0x7f2e5da2cb00 0x0 0x0 0x0 0x7f2e 0x7f2e', 'x64'), 'sleep');
    assert.equal(parseBlockedCall('23 0x0 0x0 0x0 0x0 0x7ffc 0x0 0x7ffc 0x7f12', 'x64'), 'poll');
    assert.equal(parseBlockedCall('0 0x3 0x7f 0x400 0x0 0x0 0x0 0x7ffc 0x7f12', 'x64'), 'other');
    assert.equal(parseBlockedCall('running', 'x64'), undefined);
    assert.equal(parseBlockedCall('-1 0x7ffc 0x7f12', 'x64'), undefined);
    assert.equal(parseBlockedCall('98 0x0 0x0 0x0 0x0 0x0 0x0 0x0 0x0', 'arm64'), 'futex');
  });
});
