// /proc/PID/task/TID/syscall as recorded from real threads (x86_64): a recv on fd 4, a sleep
// (clock_nanosleep: no descriptor), a running thread, and one unreadable without ptrace rights.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBlockedFd } from '../../src/core/proc/blockedFd';

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
