import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { diagnose } from '../../../src/core/findings/diagnose';
import { dump, nat, SourceDir, thread, unmapped } from './dumpBuilder';

const src = new SourceDir();
after(() => src.remove());
const poll = src.file(
  'poll.py',
  `def wait_for_flag(path):
    while not os.path.exists(path):
        time.sleep(0.5)  # SLEEP

def bare():
    sleep(1)  # BARE

async def polite():
    await asyncio.sleep(1)  # ASYNC
`,
);

describe('time.sleep', () => {
  it('from the source line', async () => {
    const [f, ...rest] = await diagnose(dump(thread('MainThread', [src.user('wait_for_flag', poll, 'SLEEP')])));
    assert.deepEqual(rest, []);
    assert.equal(f!.kind, 'sleep');
    assert.equal(f!.severity, 'info');
    assert.equal(f!.title, 'MainThread polls every 0.5 s until `os.path.exists(path)` at poll.py:3 (wait_for_flag)');
    assert.match(f!.detail!, /in a loop \(line 2\) that does nothing else/);
  });

  it('a bare sleep() imported from time', async () => {
    const [f] = await diagnose(dump(thread('MainThread', [src.user('bare', poll, 'BARE')])));
    assert.equal(f!.kind, 'sleep');
  });

  it('a sleep in C (ctypes, an extension) is named as such, not time.sleep', async () => {
    const t = thread('MainThread', [
      nat('clock_nanosleep', 'libc.so.6'),
      nat('sleep', 'libc.so.6'),
      nat('ffi_call', 'libffi.so.8'),
      unmapped('<module>', '<string>', 3),
    ]);
    const [f] = await diagnose(dump(t));
    assert.equal(f!.title, 'MainThread sleeps in a C call (clock_nanosleep) at <string>:3 (<module>)');
  });

  it('from native frames, even where there is no source (python -c)', async () => {
    const t = thread('MainThread', [nat('clock_nanosleep', 'libc.so.6'), nat('time_sleep'), unmapped('<module>', '<string>', 3)]);
    const [f] = await diagnose(dump(t));
    assert.equal(f!.title, 'MainThread sleeps in time.sleep at <string>:3 (<module>)');
  });

  it('time.sleep before 3.11 waits in select() with no fd: still a sleep, not an I/O wait', async () => {
    // py-spy --native on Python 3.9: select (libc) under time_sleep (libpython).
    const t = thread('MainThread', [nat('select', 'libc.so.6'), nat('time_sleep', 'libpython3.9.so.1.0'), src.user('wait_for_flag', poll, 'SLEEP')]);
    const [f, ...rest] = await diagnose(dump(t));
    assert.deepEqual(rest, []);
    assert.equal(f!.kind, 'sleep');
    assert.equal(f!.title, 'MainThread polls every 0.5 s until `os.path.exists(path)` at poll.py:3 (wait_for_flag)');
  });

  it('await asyncio.sleep is not a blocking sleep', async () => {
    assert.deepEqual(await diagnose(dump(thread('MainThread', [src.user('polite', poll, 'ASYNC')]))), []);
  });
});
