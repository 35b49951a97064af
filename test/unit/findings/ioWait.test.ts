import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { diagnose } from '../../../src/core/findings/diagnose';
import { dump, lib, nat, SourceDir, thread } from './dumpBuilder';

const src = new SourceDir();
after(() => src.remove());
const svc = src.file(
  'svc.py',
  `def serve(server):
    conn, _ = server.accept()  # ACCEPT

def watch(r):
    select.select([r], [], [])  # SELECT

def wait_for_signal():
    signal.pause()  # PAUSE

def loop(httpd):
    httpd.serve_forever()  # SERVE

def check(p):
    return p.poll()  # POLL
`,
);

const kindsOf = async (...frames: Parameters<typeof thread>[1]) => (await diagnose(dump(thread('MainThread', frames)))).map((f) => f.kind);

describe('waits for something to arrive', () => {
  it('accept(): from the socket.py frame, the native call or the line', async () => {
    assert.deepEqual(await kindsOf(lib('socket.accept', 'socket.py', 294), src.user('serve', svc, 'ACCEPT')), ['accept-wait']);
    assert.deepEqual(await kindsOf(nat('accept4', 'libc.so.6'), nat('sock_accept'), src.user('serve', svc, 'ACCEPT')), ['accept-wait']);
    assert.deepEqual(await kindsOf(src.user('serve', svc, 'ACCEPT')), ['accept-wait']);
  });

  it('select(): from selectors, the native call or the line', async () => {
    assert.deepEqual(await kindsOf(lib('_PollLikeSelector.select', 'selectors.py', 468), src.user('watch', svc, 'SELECT')), ['select-wait']);
    assert.deepEqual(await kindsOf(nat('select', 'libc.so.6'), src.user('watch', svc, 'SELECT')), ['select-wait']);
    assert.deepEqual(await kindsOf(src.user('watch', svc, 'SELECT')), ['select-wait']);
  });

  it('a socketserver waiting for requests', async () => {
    const [kind] = await kindsOf(
      lib('_PollLikeSelector.select', 'selectors.py', 468),
      lib('BaseServer.serve_forever', 'socketserver.py', 233),
      src.user('loop', svc, 'SERVE'),
    );
    assert.equal(kind, 'server-idle');
  });

  it('signal.pause()', async () => {
    assert.deepEqual(await kindsOf(src.user('wait_for_signal', svc, 'PAUSE')), ['signal-pause']);
    assert.deepEqual(await kindsOf(nat('pause', 'libc.so.6'), nat('signal_pause'), src.user('wait_for_signal', svc, 'PAUSE')), ['signal-pause']);
  });

  it('not for a library’s own helper thread at rest (a multiprocessing pool’s worker handler)', async () => {
    const t = thread('Thread-1 (_handle_workers)', [
      lib('_PollLikeSelector.select', 'selectors.py', 415),
      lib('wait', 'multiprocessing/connection.py', 947),
      lib('Pool._handle_workers', 'multiprocessing/pool.py', 522),
      lib('Thread.run', 'threading.py', 975),
    ]);
    assert.deepEqual(await diagnose(dump(t)), []);
  });

  it('not Popen.poll(), which never blocks', async () => {
    assert.deepEqual(await kindsOf(src.user('check', svc, 'POLL')), []);
  });
});
