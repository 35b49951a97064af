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

class Waker:
    def __init__(self):
        self._wake_r, self._wake_w = os.pipe()

    def wait(self):
        select.select([self._wake_r, sock], [], [])  # WAKER

def own_pipe():
    r, w = os.pipe()
    select.select([r], [], [])  # OWN
`,
);

const kindsOf = async (...frames: Parameters<typeof thread>[1]) => (await diagnose(dump(thread('MainThread', frames)))).map((f) => f.kind);

describe('waits for something to arrive', () => {
  it('accept(): from the socket.py frame, the native call or the line', async () => {
    assert.deepEqual(await kindsOf(lib('socket.accept', 'socket.py', 294), src.user('serve', svc, 'ACCEPT')), ['accept-wait']);
    assert.deepEqual(await kindsOf(nat('accept4', 'libc.so.6'), nat('sock_accept'), src.user('serve', svc, 'ACCEPT')), ['accept-wait']);
    assert.deepEqual(await kindsOf(src.user('serve', svc, 'ACCEPT')), ['accept-wait']);
  });

  it('select() on a pipe the code made itself (a self-pipe): its write end named, local or an attribute', async () => {
    const own = (await diagnose(dump(thread('MainThread', [src.user('own_pipe', svc, 'OWN')]))))[0]!;
    assert.equal(own.kind, 'select-wait');
    assert.equal(own.title, 'MainThread waits in select() for its own pipe (os.pipe() at line 24) at svc.py:25 (own_pipe)');
    assert.match(own.detail!, /only its own code can wake it, by writing to w/);
    const waker = (await diagnose(dump(thread('MainThread', [src.user('Waker.wait', svc, 'WAKER')]))))[0]!;
    assert.match(waker.title, /for its own pipe \(os\.pipe\(\) at line 18\)/);
    assert.match(waker.detail!, /by writing to self\._wake_w/);
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
