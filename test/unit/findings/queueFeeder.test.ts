import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { diagnose } from '../../../src/core/findings/diagnose';
import { dump, lib, nat, SourceDir, thread, THREAD_BOOTSTRAP } from './dumpBuilder';

const src = new SourceDir();
after(() => src.remove());
const prog = src.file('producer.py', 'def main():\n    child.start()  # START\n');

const feeder = () =>
  thread('QueueFeederThread', [
    nat('write', 'libc.so.6'),
    nat('os_write'),
    lib('Connection._send', 'multiprocessing/connection.py', 384),
    lib('Connection._send_bytes', 'multiprocessing/connection.py', 421),
    lib('_ConnectionBase.send_bytes', 'multiprocessing/connection.py', 200),
    lib('Queue._feed', 'multiprocessing/queues.py', 250),
    ...THREAD_BOOTSTRAP,
  ]);

describe('multiprocessing queue feeder', () => {
  it('a child that cannot exit: its feeder writes into a pipe nobody reads', async () => {
    const main = thread('MainThread', [
      nat('lock_PyThread_acquire_lock'),
      lib('Thread._wait_for_tstate_lock', 'threading.py', 1139),
      lib('Thread.join', 'threading.py', 1119),
      lib('Queue._finalize_join', 'multiprocessing/queues.py', 199),
      lib('Finalize.__call__', 'multiprocessing/util.py', 224),
      lib('_run_finalizers', 'multiprocessing/util.py', 300),
      lib('_exit_function', 'multiprocessing/util.py', 360),
      lib('BaseProcess._bootstrap', 'multiprocessing/process.py', 317),
      src.user('main', prog, 'START'),
    ]);
    const f = feeder();
    const findings = await diagnose(dump(main, f));
    assert.equal(findings.length, 1, 'the exit join is explained by the feeder finding');
    assert.equal(findings[0]!.kind, 'queue-feeder');
    assert.equal(findings[0]!.severity, 'warning');
    assert.equal(findings[0]!.threadId, f.id);
    assert.equal(
      findings[0]!.title,
      'QueueFeederThread keeps this process from exiting: it is still writing queued data that no process reads, at queues.py:250 (Queue._feed)',
    );
    assert.match(findings[0]!.detail!, /MainThread waits for that in Queue\._finalize_join/);
    assert.match(findings[0]!.detail!, /join\(\) before get\(\)/);
  });

  it('a feeder blocked while the process runs on: info', async () => {
    const [f] = await diagnose(dump(feeder()));
    assert.equal(f!.severity, 'info');
    assert.match(f!.title, /waits to write into a full multiprocessing pipe/);
  });

  it('an idle feeder waiting for items is no finding', async () => {
    const idle = thread('QueueFeederThread', [
      lib('Condition.wait', 'threading.py', 327),
      lib('Queue._feed', 'multiprocessing/queues.py', 231),
      ...THREAD_BOOTSTRAP,
    ]);
    assert.deepEqual(await diagnose(dump(idle)), []);
  });
});
