import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { diagnose } from '../../../src/core/findings/diagnose';
import { dump, lib, nat, SourceDir, thread, THREAD_BOOTSTRAP } from './dumpBuilder';

const src = new SourceDir();
after(() => src.remove());

const worker = src.file(
  'worker.py',
  `import socket

def fetch_reply(sock):
    data = sock.recv(1024)  # RECV
    return data

def read_all(stream):
    return stream.read()  # READ

def download(url):
    with urllib.request.urlopen(url) as r:
        return r.read()  # HTTP
`,
);

describe('socket waits', () => {
  it("without native frames, recognises .recv( on the user's own line", async () => {
    const t = thread('MainThread', [src.user('fetch_reply', worker, 'RECV'), src.user('<module>', worker, 'import socket')]);
    const [f, ...rest] = await diagnose(dump(t));
    assert.deepEqual(rest, []);
    assert.equal(f!.kind, 'socket-wait');
    assert.equal(f!.severity, 'warning');
    assert.equal(f!.title, 'MainThread waits in a socket read at worker.py:4 (fetch_reply)');
    // The socket is handed in: the code on the stack does not show its timeout.
    assert.match(f!.detail!, /does not show whether this socket has a timeout/);
    assert.equal(f!.threadId, t.id);
    assert.deepEqual(f!.frame, { file: worker, line: 4, localFile: worker });
  });

  it('a socket the code on the stack made and never gave a timeout: no timeout, and the one change', async () => {
    const made = src.file(
      'client.py',
      `import socket

def fetch_reply(sock):
    return sock.recv(1024)  # RECV

def main():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname())
    fetch_reply(client)  # CALL
`,
    );
    const t = thread('MainThread', [src.user('fetch_reply', made, 'RECV'), src.user('main', made, 'CALL')]);
    const [f] = await diagnose(dump(t));
    assert.equal(f!.title, 'MainThread waits in a socket read with no timeout at client.py:4 (fetch_reply)');
    assert.match(f!.detail!, /client comes from socket\.create_connection\(\) at client\.py:10/);
    assert.match(f!.detail!, /Pass a timeout to `socket\.create_connection\(…, timeout=…\)` at client\.py:10\./);
    assert.doesNotMatch(f!.detail!, /If this socket|does not show/);
  });

  it('a settimeout() in a file on the stack: the code does not say "no timeout"', async () => {
    const timed = src.file(
      'timed.py',
      `import socket

def main():
    sock = socket.create_connection(("127.0.0.1", 9))
    sock.settimeout(None if SLOW else 5)
    return sock.recv(1024)  # RECV
`,
    );
    const [f] = await diagnose(dump(thread('MainThread', [src.user('main', timed, 'RECV')])));
    assert.equal(f!.title, 'MainThread waits in a socket read at timed.py:6 (main)');
  });

  it('native recv with no poll before it: no timeout', async () => {
    const t = thread('MainThread', [
      nat('recv', 'libc.so.6'),
      nat('sock_call_ex', '_socket.so'),
      nat('sock_recv', '_socket.so'),
      src.user('fetch_reply', worker, 'RECV'),
    ]);
    const [f] = await diagnose(dump(t));
    assert.equal(f!.title, 'MainThread waits in a socket read with no timeout at worker.py:4 (fetch_reply)');
    assert.equal(f!.severity, 'warning');
    assert.match(f!.detail!, /sock\.settimeout/);
  });

  it('a poll under the read means a timeout is armed: only info', async () => {
    const t = thread('MainThread', [
      nat('poll', 'libc.so.6'),
      nat('internal_select', '_socket.so'),
      nat('sock_call_ex', '_socket.so'),
      nat('sock_recv', '_socket.so'),
      src.user('fetch_reply', worker, 'RECV'),
    ]);
    const [f] = await diagnose(dump(t));
    assert.equal(f!.severity, 'info');
    assert.equal(f!.title, 'MainThread waits in a socket read (a timeout is set) at worker.py:4 (fetch_reply)');
  });

  it("an SSL read under http.client, named at the user's frame beneath the library frames", async () => {
    const t = thread('MainThread', [
      lib('SSLSocket.read', 'ssl.py', 1167),
      lib('SSLSocket.recv_into', 'ssl.py', 1315),
      lib('SocketIO.readinto', 'socket.py', 706),
      lib('HTTPResponse._safe_read', 'http/client.py', 638),
      lib('HTTPResponse.read', 'http/client.py', 489),
      src.user('download', worker, 'HTTP'),
    ]);
    const [f] = await diagnose(dump(t));
    // The response read comes from the `with urlopen(url) as r:` around it, which passes no timeout=.
    assert.equal(f!.title, 'MainThread waits in an SSL read of an HTTP response with no timeout at worker.py:12 (download)');
    assert.match(f!.detail!, /urlopen\(…\) at worker\.py:11 \(download\) passes no timeout=/);
    assert.equal(f!.frame!.line, 12);
  });

  it('the same with native SSL frames says there is no timeout', async () => {
    const t = thread('MainThread', [
      nat('read', 'libc.so.6'),
      nat('BIO_read', 'libcrypto.so.3'),
      nat('SSL_read_ex', 'libssl.so.3'),
      nat('_ssl__SSLSocket_read', '_ssl.so'),
      lib('SSLSocket.read', 'ssl.py', 1167),
      src.user('download', worker, 'HTTP'),
    ]);
    const [f] = await diagnose(dump(t));
    assert.equal(f!.title, 'MainThread waits in an SSL read with no timeout at worker.py:12 (download)');
  });

  it('recv_into under a library client in a worker thread', async () => {
    const t = thread('scheduler', [
      lib('SocketIO.readinto', 'socket.py', 706),
      lib('HTTPResponse.begin', 'http/client.py', 300),
      lib('HTTPConnection.getresponse', 'http/client.py', 1378),
      src.user('download', worker, 'HTTP'),
      ...THREAD_BOOTSTRAP,
    ]);
    const [f] = await diagnose(dump(t));
    assert.equal(f!.title, 'scheduler waits in a socket read of an HTTP response with no timeout at worker.py:12 (download)');
  });

  it('a bare .read( is a blocking read of unknown kind (info)', async () => {
    const t = thread('MainThread', [src.user('read_all', worker, 'READ')]);
    const [f] = await diagnose(dump(t));
    assert.equal(f!.kind, 'read-wait');
    assert.equal(f!.severity, 'info');
    assert.equal(f!.title, 'MainThread waits in a blocking read at worker.py:8 (read_all)');
  });

  it('native frames that are not a read overrule the source line', async () => {
    const t = thread('MainThread', [nat('lock_PyThread_acquire_lock'), src.user('fetch_reply', worker, 'RECV')]);
    const findings = await diagnose(dump(t));
    assert.ok(!findings.some((f) => f.kind === 'socket-wait'), JSON.stringify(findings));
  });

  it('an active thread on a line without a read is not a socket wait', async () => {
    const t = thread('MainThread', [src.user('fetch_reply', worker, 'return data')], { active: true });
    assert.deepEqual(await diagnose(dump(t)), []);
  });
});
