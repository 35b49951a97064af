import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { diagnose } from '../../../src/core/findings/diagnose';
import { dump, lib, nat, SourceDir, thread, THREAD_BOOTSTRAP } from './dumpBuilder';

const src = new SourceDir();
after(() => src.remove());

const app = src.file(
  'app.py',
  `def main(workers):
    for w in workers:
        w.join()  # JOIN

def run_child(cmd):
    return subprocess.Popen(cmd).wait()  # POPEN

def run_process(p):
    p.join()  # PROCESS

def gather(future):
    return future.result()  # FUTURE

def work():
    while True:
        crunch()  # BUSY
`,
);

describe('join waits', () => {
  it('Thread.join: info, naming where the other threads are', async () => {
    const main = thread('MainThread', [
      nat('lock_PyThread_acquire_lock'),
      lib('Thread._wait_for_tstate_lock', 'threading.py', 1139),
      lib('Thread.join', 'threading.py', 1119),
      src.user('main', app, 'JOIN'),
    ]);
    const busy = thread('cruncher', [src.user('work', app, 'BUSY'), ...THREAD_BOOTSTRAP], { active: true });
    const findings = await diagnose(dump(main, busy));
    assert.equal(findings.length, 1, 'a join is not a lock wait');
    const [f] = findings;
    assert.equal(f!.kind, 'join-wait');
    assert.equal(f!.severity, 'info');
    // The join is followed to the thread it waits for (the only other thread the program started).
    assert.equal(f!.title, 'MainThread waits for cruncher to finish, which is still running, at app.py:16 (work)');
    assert.match(f!.detail!, /MainThread waits at app\.py:3 \(main\)/);
    assert.equal(f!.frame?.line, src.line(app, 'BUSY'));
  });

  it('subprocess Popen.wait: dump the child', async () => {
    const t = thread('MainThread', [lib('Popen._wait', 'subprocess.py', 1953), lib('Popen.wait', 'subprocess.py', 1209), src.user('run_child', app, 'POPEN')]);
    const [f] = await diagnose(dump(t));
    assert.equal(f!.title, 'MainThread waits for a child process to exit at app.py:6 (run_child)');
    assert.match(f!.detail!, /dump it/);
    assert.match(f!.detail!, /communicate\(\)/);
  });

  it('multiprocessing Process.join: explains the queue feeder case', async () => {
    const t = thread('MainThread', [
      nat('wait4', 'libc.so.6'),
      nat('os_waitpid'),
      lib('Popen.poll', 'multiprocessing/popen_fork.py', 27),
      lib('Popen.wait', 'multiprocessing/popen_fork.py', 43),
      lib('BaseProcess.join', 'multiprocessing/process.py', 149),
      src.user('run_process', app, 'PROCESS'),
    ]);
    const [f] = await diagnose(dump(t));
    assert.equal(f!.title, 'MainThread waits for a child process to exit at app.py:9 (run_process)');
    assert.match(f!.detail!, /multiprocessing\.Queue cannot exit until they are read/);
  });

  it('concurrent.futures Future.result', async () => {
    const t = thread('MainThread', [
      lib('Condition.wait', 'threading.py', 327),
      lib('Future.result', 'concurrent/futures/_base.py', 451),
      src.user('gather', app, 'FUTURE'),
    ]);
    const [f] = await diagnose(dump(t));
    assert.equal(f!.title, 'MainThread waits for the result of a concurrent.futures task at app.py:12 (gather)');
  });

  it('subprocess.run → communicate: no advice to use communicate()', async () => {
    const t = thread('MainThread', [
      lib('Popen._communicate', 'subprocess.py', 2115),
      lib('Popen.communicate', 'subprocess.py', 1209),
      lib('run', 'subprocess.py', 550),
      src.user('run_child', app, 'POPEN'),
    ]);
    const [f] = await diagnose(dump(t));
    assert.equal(f!.kind, 'join-wait');
    assert.doesNotMatch(f!.detail!, /instead of wait/);
    assert.match(f!.detail!, /timeout=/);
  });

  it('multiprocessing Pool.map: dump the pool’s workers', async () => {
    const t = thread('MainThread', [
      lib('Condition.wait', 'threading.py', 327),
      lib('Event.wait', 'threading.py', 629),
      lib('ApplyResult.wait', 'multiprocessing/pool.py', 765),
      lib('ApplyResult.get', 'multiprocessing/pool.py', 768),
      lib('Pool.map', 'multiprocessing/pool.py', 367),
      src.user('gather', app, 'FUTURE'),
    ]);
    const [f, ...rest] = await diagnose(dump(t));
    assert.deepEqual(rest, []);
    assert.equal(f!.title, 'MainThread waits for the worker processes of a multiprocessing pool at app.py:12 (gather)');
    assert.match(f!.detail!, /dump the pool's worker processes/);
  });

  it('bare function names from older Pythons match too', async () => {
    const t = thread('MainThread', [lib('_wait_for_tstate_lock', 'threading.py', 1077), lib('join', 'threading.py', 1060), src.user('main', app, 'JOIN')]);
    const [f] = await diagnose(dump(t));
    assert.equal(f!.kind, 'join-wait');
  });
});
