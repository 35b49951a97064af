// Issue 12's follow-the-wait ends on recorded-shape stacks: a Barrier fewer threads reach than its
// parties, executor workers that all wait for an Event nobody sets, os.waitpid() on the user's
// line, a thread the kernel says is blocked writing to a full pipe, a multiprocessing lock.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { diagnose } from '../../../src/core/findings/diagnose';
import { dump, lib, SourceDir, thread, THREAD_BOOTSTRAP } from './dumpBuilder';

const src = new SourceDir();
after(() => src.remove());

const app = src.file(
  'app.py',
  `import os, threading

def stage(barrier):
    barrier.wait()  # BARRIER

def handle(job):
    loaded.wait()  # EVENT
    return job

def main():
    for t in threads:
        t.join()  # JOIN
    print(sum(f.result() for f in futures))  # RESULT
    os.waitpid(pid, 0)  # WAITPID
    sys.stderr.write(report)  # WRITE
    with lock:  # MPLOCK
        pass
`,
);

const barrierWait = [
  lib('Condition.wait', 'threading.py', 320),
  lib('Condition.wait_for', 'threading.py', 355),
  lib('Barrier._wait', 'threading.py', 700),
  lib('Barrier.wait', 'threading.py', 680),
];
const executorBottom = [lib('_WorkItem.run', 'concurrent/futures/thread.py', 58), lib('_worker', 'concurrent/futures/thread.py', 83), ...THREAD_BOOTSTRAP];

describe('following a wait to its cause', () => {
  it('a join to the only thread the program started, which waits in a Barrier no other thread will reach', async () => {
    const main = thread('MainThread', [
      lib('Thread._wait_for_tstate_lock', 'threading.py', 1116),
      lib('Thread.join', 'threading.py', 1096),
      src.user('main', app, 'JOIN'),
    ]);
    const s0 = thread('stage0', [...barrierWait, src.user('stage', app, 'BARRIER'), ...THREAD_BOOTSTRAP]);
    const [f] = await diagnose(dump(main, s0));
    assert.equal(f!.title, 'MainThread waits for stage0 to finish, which waits for a Barrier no other thread will reach at app.py:4 (stage)');
    assert.equal(f!.severity, 'warning');
    assert.match(f!.detail!, /make Barrier\(parties\) match/);
  });

  it('a future whose workers each wait for an Event nothing will set: said once, as the cause', async () => {
    const main = thread('MainThread', [
      lib('Condition.wait', 'threading.py', 320),
      lib('Future.result', 'concurrent/futures/_base.py', 451),
      src.user('main', app, 'RESULT'),
    ]);
    const event = [lib('Condition.wait', 'threading.py', 320), lib('Event.wait', 'threading.py', 622)];
    const w0 = thread('pool_0', [...event, src.user('handle', app, 'EVENT'), ...executorBottom]);
    const w1 = thread('pool_1', [...event, src.user('handle', app, 'EVENT'), ...executorBottom]);
    const [f, ...rest] = await diagnose(dump(main, w0, w1));
    assert.equal(
      f!.title,
      'MainThread waits for a task one of the executor workers runs, one of 2, and each waits for an Event nothing will set at app.py:7 (handle)',
    );
    assert.equal(f!.severity, 'warning');
    assert.deepEqual(rest, []);
  });

  it('os.waitpid() on the line is a wait for a child process to exit', async () => {
    const [f] = await diagnose(dump(thread('MainThread', [src.user('main', app, 'WAITPID')])));
    assert.equal(f!.kind, 'join-wait');
    assert.equal(f!.title, 'MainThread waits for a child process to exit at app.py:14 (main)');
  });

  it('a thread the kernel says is blocked writing to a pipe: its stderr pipe is full', async () => {
    const t = { ...thread('MainThread', [src.user('main', app, 'WRITE')]), writesToPipe: true };
    const [f] = await diagnose(dump(t));
    assert.equal(f!.kind, 'pipe-write-wait');
    assert.equal(f!.title, 'MainThread waits to write to its stderr pipe, which is full: nothing reads it at app.py:15 (main)');
    assert.match(f!.detail!, /communicate\(timeout=…\)/);
  });

  it("a multiprocessing lock's SemLock.__enter__ takes the lock's name from the user's line", async () => {
    const t = thread('MainThread', [lib('SemLock.__enter__', 'multiprocessing/synchronize.py', 95), src.user('main', app, 'MPLOCK')]);
    const [f] = await diagnose(dump(t));
    assert.equal(f!.kind, 'process-lock-wait');
    assert.equal(f!.title, 'MainThread waits to acquire lock at app.py:16 (main), a multiprocessing lock held by another process');
  });
});
