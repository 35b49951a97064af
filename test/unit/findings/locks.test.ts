import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { diagnose } from '../../../src/core/findings/diagnose';
import { lockOnLine, withLockNames } from '../../../src/core/findings/lockWait';
import { dump, lib, nat, SourceDir, thread, THREAD_BOOTSTRAP } from './dumpBuilder';

const src = new SourceDir();
after(() => src.remove());

const bank = src.file(
  'bank.py',
  `import threading

lock_a = threading.Lock()
lock_b = threading.Lock()

def transfer_a_to_b():
    with lock_a:
        note("a")
        with lock_b:  # A-WAITS
            pass

def transfer_b_to_a():
    with lock_b:
        if True:
            with lock_a:  # B-WAITS
                pass

class Cache:
    def refresh(self):
        with self._lock:
            self._reload()  # SELF-OUTER

    def _reload(self):
        with self._lock:  # SELF-INNER
            pass

def hold_pool():
    with pool_lock:
        done.wait()  # HOLDER

def use_pool():
    with pool_lock:  # USER-WAITS
        pass

def first():
    left.acquire()  # ACQ-1

def second():
    right.acquire()  # ACQ-2

def limited():
    slots.acquire()  # SEM

def consume(q):
    return q.get()  # QGET
`,
);

describe('lock names from source lines', () => {
  it('reads with-statements and acquire() calls', () => {
    assert.deepEqual(withLockNames('    with lock_a:'), ['lock_a']);
    assert.deepEqual(withLockNames('    with self._lock, other.mutex:  # both'), ['self._lock', 'other.mutex']);
    assert.deepEqual(withLockNames('    async with self._locks[key]:'), ['self._locks[key]']);
    assert.deepEqual(withLockNames('    with open(path) as f:'), []);
    assert.deepEqual(withLockNames('    x = 1'), []);
    assert.equal(lockOnLine('        self._lock.acquire()'), 'self._lock');
    assert.equal(lockOnLine('    with lock_b:  # A-WAITS'), 'lock_b');
    assert.equal(lockOnLine('    return q.get()'), undefined);
  });
});

describe('lock waits and deadlocks', () => {
  it("two threads waiting for each other's locks: a deadlock, one error per thread", async () => {
    const a = thread('worker-a', [src.user('transfer_a_to_b', bank, 'A-WAITS'), ...THREAD_BOOTSTRAP]);
    const b = thread('worker-b', [src.user('transfer_b_to_a', bank, 'B-WAITS'), ...THREAD_BOOTSTRAP]);
    const findings = await diagnose(dump(a, b));
    assert.deepEqual(
      findings.map((f) => [f.severity, f.kind, f.threadId, f.title]),
      [
        ['error', 'deadlock', a.id, 'worker-a waits for lock_b at bank.py:9 (transfer_a_to_b), held by worker-b: a deadlock'],
        ['error', 'deadlock', b.id, 'worker-b waits for lock_a at bank.py:15 (transfer_b_to_a), held by worker-a: a deadlock'],
      ],
    );
    assert.match(findings[0]!.detail!, /worker-a holds lock_a \(line 7\) and waits for lock_b at bank\.py:9/);
    assert.match(findings[0]!.detail!, /worker-b holds lock_b \(line 13\) and waits for lock_a at bank\.py:15/);
    assert.equal(findings[0]!.frame!.localFile, bank);
  });

  it('the same with native lock frames', async () => {
    const natives = () => [nat('0x7f0b688a3e96', 'libc.so.6'), nat('PyThread_acquire_lock_timed'), nat('lock_PyThread_acquire_lock')];
    const a = thread('worker-a', [...natives(), src.user('transfer_a_to_b', bank, 'A-WAITS')]);
    const b = thread('worker-b', [...natives(), src.user('transfer_b_to_a', bank, 'B-WAITS')]);
    const kinds = (await diagnose(dump(a, b))).map((f) => f.kind);
    assert.deepEqual(kinds, ['deadlock', 'deadlock']);
  });

  it('a thread re-entering a Lock it holds deadlocks itself', async () => {
    const t = thread('MainThread', [src.user('Cache._reload', bank, 'SELF-INNER'), src.user('Cache.refresh', bank, 'SELF-OUTER')]);
    const [f, ...rest] = await diagnose(dump(t));
    assert.deepEqual(rest, []);
    assert.equal(f!.kind, 'deadlock');
    assert.equal(f!.title, 'MainThread waits for self._lock at bank.py:24 (Cache._reload), which it already holds: a deadlock');
    assert.match(f!.detail!, /RLock/);
  });

  it('names the thread that holds the lock when the code shows it', async () => {
    const owner = thread('pool-owner', [
      lib('Condition.wait', 'threading.py', 327),
      lib('Event.wait', 'threading.py', 629),
      src.user('hold_pool', bank, 'HOLDER'),
      ...THREAD_BOOTSTRAP,
    ]);
    const waiter = thread('MainThread', [src.user('use_pool', bank, 'USER-WAITS')]);
    const findings = await diagnose(dump(waiter, owner));
    assert.equal(findings.length, 1, JSON.stringify(findings));
    assert.equal(findings[0]!.kind, 'lock-wait');
    assert.equal(findings[0]!.title, 'MainThread waits to acquire pool_lock at bank.py:32 (use_pool), which pool-owner holds at bank.py:29 (hold_pool)');
    assert.match(findings[0]!.detail!, /pool-owner entered `with pool_lock:` at line 28 \(in hold_pool\)/);
  });

  it('one lock wait with no visible holder is a warning about that thread', async () => {
    const t = thread('MainThread', [src.user('use_pool', bank, 'USER-WAITS')]);
    const idle = thread('helper', [lib('Condition.wait', 'threading.py', 327), ...THREAD_BOOTSTRAP]);
    const [f, ...rest] = await diagnose(dump(t, idle));
    assert.deepEqual(rest, []);
    assert.equal(f!.kind, 'lock-wait');
    assert.equal(f!.severity, 'warning');
    assert.equal(f!.title, 'MainThread waits to acquire pool_lock at bank.py:32 (use_pool)');
  });

  it('the only thread waits for a lock nobody holds: probably inherited across fork()', async () => {
    const t = thread('MainThread', [src.user('use_pool', bank, 'USER-WAITS')]);
    const [f, ...rest] = await diagnose(dump(t));
    assert.deepEqual(rest, []);
    assert.equal(f!.kind, 'fork-inherited-lock');
    assert.equal(
      f!.title,
      'MainThread waits to acquire pool_lock at bank.py:32 (use_pool), held by no thread of this process: probably inherited locked across fork()',
    );
    assert.match(f!.detail!, /spawn or forkserver/);
  });

  it('two threads in lock waits with no visible owners: a possible deadlock, plus each wait', async () => {
    const one = thread('one', [src.user('first', bank, 'ACQ-1'), ...THREAD_BOOTSTRAP]);
    const two = thread('two', [src.user('second', bank, 'ACQ-2'), ...THREAD_BOOTSTRAP]);
    const findings = await diagnose(dump(one, two));
    assert.deepEqual(
      findings.map((f) => [f.severity, f.kind, f.title]),
      [
        ['warning', 'deadlock', 'one waits for left at bank.py:36 (first) while two also waits for locks: a possible deadlock'],
        ['warning', 'lock-wait', 'one waits to acquire left at bank.py:36 (first)'],
        ['warning', 'lock-wait', 'two waits to acquire right at bank.py:39 (second)'],
      ],
    );
  });

  it('a semaphore wait in the standard library', async () => {
    const t = thread('MainThread', [lib('Semaphore.acquire', 'threading.py', 472), src.user('limited', bank, 'SEM')]);
    const [f] = await diagnose(dump(t));
    assert.equal(f!.title, 'MainThread waits to acquire a semaphore at bank.py:42 (limited)');
  });

  it('waiting for a signal (Event, Condition, Queue.get) is how idle threads look: no finding', async () => {
    const idle = thread('pool-1', [
      lib('Condition.wait', 'threading.py', 327),
      lib('Queue.get', 'queue.py', 171),
      src.user('consume', bank, 'QGET'),
      ...THREAD_BOOTSTRAP,
    ]);
    const idleNative = thread('pool-2', [
      nat('PyThread_acquire_lock_timed'),
      nat('lock_PyThread_acquire_lock'),
      lib('Condition.wait', 'threading.py', 327),
      lib('Event.wait', 'threading.py', 629),
      ...THREAD_BOOTSTRAP,
    ]);
    assert.deepEqual(await diagnose(dump(idle, idleNative)), []);
  });
});
