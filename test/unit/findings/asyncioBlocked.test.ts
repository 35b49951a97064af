import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { diagnose } from '../../../src/core/findings/diagnose';
import { dump, lib, nat, SourceDir, thread } from './dumpBuilder';

const src = new SourceDir();
after(() => src.remove());

const server = src.file(
  'server.py',
  `async def handle_request():
    time.sleep(3600)  # SLEEP

async def fetch(sock):
    return sock.recv(10)  # RECV

async def compute():
    return sum(range(10**9))  # BUSY

asyncio.run(main())  # RUN
`,
);

const loop = () => [
  lib('Handle._run', 'asyncio/events.py', 80),
  lib('BaseEventLoop._run_once', 'asyncio/base_events.py', 1922),
  lib('BaseEventLoop.run_forever', 'asyncio/base_events.py', 607),
  lib('BaseEventLoop.run_until_complete', 'asyncio/base_events.py', 640),
  lib('Runner.run', 'asyncio/runners.py', 118),
  lib('run', 'asyncio/runners.py', 190),
  src.user('<module>', server, 'RUN'),
];

describe('asyncio event loop blocked by a synchronous call', () => {
  it('time.sleep in a coroutine', async () => {
    const t = thread('MainThread', [src.user('handle_request', server, 'SLEEP'), nat('task_step_impl', '_asynciomodule.c'), ...loop()]);
    const findings = await diagnose(dump(t));
    assert.equal(findings.length, 1, 'the sleep itself is part of this finding');
    assert.equal(findings[0]!.kind, 'asyncio-blocked');
    assert.equal(findings[0]!.severity, 'warning');
    assert.equal(findings[0]!.title, "MainThread's asyncio event loop is blocked by time.sleep at server.py:2 (handle_request)");
    assert.match(findings[0]!.detail!, /asyncio\.to_thread/);
  });

  it('a blocking socket read in a coroutine', async () => {
    const t = thread('MainThread', [src.user('fetch', server, 'RECV'), ...loop()]);
    const [f] = await diagnose(dump(t));
    assert.equal(f!.title, "MainThread's asyncio event loop is blocked by a socket read at server.py:5 (fetch)");
  });

  it('an idle callback in an unknown call still blocks the loop', async () => {
    const t = thread('MainThread', [nat('some_c_call', 'ext.so'), src.user('compute', server, 'BUSY'), ...loop()]);
    const [f] = await diagnose(dump(t));
    assert.equal(f!.title, "MainThread's asyncio event loop is blocked by a synchronous call at server.py:8 (compute)");
  });

  it('a busy callback caught mid-flight is not evidence of blocking', async () => {
    const t = thread('MainThread', [src.user('compute', server, 'BUSY'), ...loop()], { active: true });
    assert.deepEqual(await diagnose(dump(t)), []);
  });

  it('a loop waiting in its selector is idle, not blocked', async () => {
    const t = thread('MainThread', [
      lib('EpollSelector.select', 'selectors.py', 468),
      lib('BaseEventLoop._run_once', 'asyncio/base_events.py', 1898),
      ...loop().slice(2),
    ]);
    const findings = await diagnose(dump(t));
    assert.deepEqual(
      findings.map((f) => [f.kind, f.severity]),
      [['asyncio-idle', 'info']],
      'idle, not blocked',
    );
    assert.match(findings[0]!.title, /^MainThread runs an idle asyncio event loop \(every task is waiting\) at server\.py:\d+ \(<module>\)$/);
  });
});
