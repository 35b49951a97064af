import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Frame } from '../../src/core/model';
import { isWaitingCall, ranWhenRead } from '../../src/core/stacks/ranWhenRead';

const nat = (fn: string): Frame => ({ function: fn, file: 'libc.so.6', line: 0, native: true, isUserCode: false });
const py = (fn: string): Frame => ({ function: fn, file: 'app.py', line: 3, native: false, isUserCode: true });

describe('was a thread running when its stack was taken (cores, pasted backtraces)', () => {
  // Innermost frames gdb 13 showed for threads waiting on glibc 2.36 (Debian 12).
  const waits = [
    '__futex_abstimed_wait_common64',
    '__futex_abstimed_wait_cancelable64',
    '__GI___libc_read',
    '__libc_recv',
    '__select',
    '__GI___poll',
    '__GI___clock_nanosleep',
    'syscall',
    'epoll_wait',
    '__pthread_cond_wait_common',
    'do_futex_wait',
    '__new_sem_wait_slow64',
    '__lll_lock_wait',
    '___pthread_cond_timedwait64',
    '__libc_accept',
    '__GI___wait4',
    '__libc_pause',
    'pthread_cond_wait@@GLIBC_2.3.2',
    '__syscall_cancel_arch',
  ];
  for (const fn of waits) it(`${fn} waits`, () => assert.equal(isWaitingCall(nat(fn)), true));

  for (const fn of ['pymalloc_alloc', '_PyEval_EvalFrameDefault', 'pcre_exec', '__memmove_avx_unaligned_erms', 'take_gil', 'sock_recv', 'time_sleep'])
    it(`${fn} is not a system call`, () => assert.equal(isWaitingCall(nat(fn)), false));

  it('the innermost named native frame decides; unknown addresses are passed over', () => {
    assert.equal(ranWhenRead([nat('0x00007f2e5e8ed545'), nat('__libc_recv'), nat('sock_recv'), py('read')]), false);
    assert.equal(ranWhenRead([nat('pymalloc_alloc'), nat('_PyEval_EvalFrameDefault'), py('crunch')]), true);
  });

  it('Python frames innermost among native ones stand for the eval loop: it was running bytecode', () => {
    // A core of a busy pure-Python loop (CPython 3.8 and 3.13): no C frame inside the eval loop.
    assert.equal(ranWhenRead([py('checksum'), nat('function_code_fastcall'), nat('_PyObject_Vectorcall'), py('<module>'), nat('main')]), true);
    assert.equal(ranWhenRead([py('crunch'), nat('_PyEval_EvalFrameDefault')]), true);
  });

  it('no native frames at all: nothing is said', () => {
    assert.equal(ranWhenRead([py('crunch')]), undefined);
    assert.equal(ranWhenRead([py('crunch'), py('main')]), undefined);
    assert.equal(ranWhenRead([]), undefined);
  });
});
