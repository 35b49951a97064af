import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { diagnose } from '../../../src/core/findings/diagnose';
import { dump, lib, SourceDir, thread, THREAD_BOOTSTRAP, unmapped } from './dumpBuilder';

const src = new SourceDir();
after(() => src.remove());
const app = src.file(
  'app.py',
  `def a():
    with lock_a:
        with lock_b:  # A
            pass

def b():
    with lock_b:
        with lock_a:  # B
            pass

def main():
    t.join()  # JOIN
    time.sleep(1)  # SLEEP
`,
);

describe('diagnose', () => {
  it('orders findings by severity, then by thread order', async () => {
    const sleeper = thread('sleeper', [src.user('main', app, 'SLEEP'), ...THREAD_BOOTSTRAP]);
    const main = thread('MainThread', [lib('Thread.join', 'threading.py', 1119), src.user('main', app, 'JOIN')]);
    const wa = thread('worker-a', [src.user('a', app, 'A'), ...THREAD_BOOTSTRAP]);
    const wb = thread('worker-b', [src.user('b', app, 'B'), ...THREAD_BOOTSTRAP]);
    const findings = await diagnose(dump(main, sleeper, wa, wb));
    assert.deepEqual(
      findings.map((f) => `${f.severity} ${f.kind} ${f.threadId}`),
      [`error deadlock ${wa.id}`, `error deadlock ${wb.id}`, `info join-wait ${main.id}`, `info sleep ${sleeper.id}`],
    );
  });

  it('finds nothing in a dump without threads or frames', async () => {
    assert.deepEqual(await diagnose(dump()), []);
    assert.deepEqual(await diagnose(dump(thread('MainThread', []))), []);
  });

  it('survives frames whose files are missing or unreadable', async () => {
    const t = thread('MainThread', [{ ...unmapped('f', '/gone/x.py', 3), localFile: '/gone/x.py', isUserCode: true }]);
    assert.deepEqual(await diagnose(dump(t)), []);
  });
});
