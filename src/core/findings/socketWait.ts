// Reads that wait for a peer: socket recv, SSL reads, HTTP responses. The incidents behind Snag were
// reads with no timeout (an SSL read under an HTTP download, recv_into under an API call).
import type { ThreadStack } from '../model';
import { anchorFrame, callSite, isFrame, nativeInner } from './frames';
import type { DiagnoseContext, ThreadRule, ThreadWait } from './rule';

const NATIVE_SOCKET_READ = /^(sock_recv|sock_recv_into|sock_recvfrom|sock_recvfrom_into|sock_recvmsg|sock_recvmsg_into|sock_recv_guts)$/;
const NATIVE_SSL_READ = /^(_ssl__SSLSocket_read|_ssl__SSLSocket_read_impl|SSL_read|SSL_read_ex|ssl3_read_bytes|ssl3_read)$/;
/** A socket call with a timeout polls first (socketmodule.c internal_select, _ssl.c PySSL_select). */
const NATIVE_TIMEOUT_POLL = /^(internal_select|PySSL_select|poll|__poll|ppoll|select)$/;
const NATIVE_LIBC_READ = /^(recv|recvfrom|recvmsg|read|__libc_recv|__libc_read)$/;
const RECV_CALL = /\.(recv|recv_into|recvfrom|recvfrom_into|recvmsg)\s*\(/;
const READ_CALL = /\.(read|readline|readlines|readinto|read1)\s*\(/;
/** A loop over a child's output pipe reads it line by line: `for line in p.stdout:`. */
const READ_LOOP = /\bfor\s+\w+\s+in\s+[\w.]+\.(stdout|stderr)\s*:/;

type Timeout = 'none' | 'armed' | 'unknown';

function timeoutOf(t: ThreadStack): Timeout {
  const natives = nativeInner(t).map((f) => f.function);
  if (natives.some((n) => NATIVE_TIMEOUT_POLL.test(n))) return 'armed';
  if (natives.some((n) => NATIVE_LIBC_READ.test(n) || NATIVE_SOCKET_READ.test(n) || NATIVE_SSL_READ.test(n))) return 'none';
  return 'unknown';
}

const SET_TIMEOUT = 'Set one: sock.settimeout(…), requests.get(…, timeout=…), urllib.request.urlopen(…, timeout=…).';

export const socketWait: ThreadRule = async (t: ThreadStack, ctx: DiagnoseContext): Promise<ThreadWait | undefined> => {
  const natives = nativeInner(t).map((f) => f.function);
  const python = t.frames.filter((f) => !f.native);
  const ssl =
    natives.some((n) => NATIVE_SSL_READ.test(n)) || python.some((f) => isFrame(f, 'ssl.py', 'SSLSocket.read', 'SSLSocket.recv', 'SSLSocket.recv_into'));
  const socket = ssl || natives.some((n) => NATIVE_SOCKET_READ.test(n)) || python.some((f) => isFrame(f, 'socket.py', 'SocketIO.readinto'));
  const http = python.some(
    (f) => /(^|\/)(http\/client|urllib3\/response)\.py$/.test(f.file) && /^(HTTPResponse\.|HTTPConnection\.getresponse$)/.test(f.function),
  );
  const caller = callSite(t);
  // Without native frames the stack ends at the Python line that made the call: read it.
  const line = caller && natives.length === 0 ? await ctx.source.line(caller) : undefined;
  const recvLine = !!line && RECV_CALL.test(line);
  const readLine = !!line && (READ_CALL.test(line) || READ_LOOP.test(line));
  if (!socket && !http && !recvLine && !readLine) return undefined;
  // Native frames that are not a read (a lock, a sleep) mean the line's read is not what waits.
  if (!socket && natives.length > 0) return undefined;

  const frame = anchorFrame(t);
  if (!socket && !http && !recvLine) {
    return {
      kind: 'read-wait',
      severity: 'info',
      phrase: 'waits in a blocking read',
      call: 'a blocking read',
      detail:
        'The line calls .read(); on a socket, pipe or HTTP response that waits until data arrives, forever if none comes and no timeout is set. `snag dump --native` shows the system call it waits in.',
      frame,
    };
  }
  const timeout = timeoutOf(t);
  const what = `${ssl ? 'an SSL read' : 'a socket read'}${http ? ' of an HTTP response' : ''}`;
  const suffix = timeout === 'none' ? ' with no timeout' : timeout === 'armed' ? ' (a timeout is set)' : '';
  const detail =
    timeout === 'none'
      ? `The read has no timeout, so it waits forever if the peer never answers. ${SET_TIMEOUT}`
      : timeout === 'armed'
        ? 'A timeout is armed (the read polls first), so this read will end; a long timeout, or a retry loop around it, still stalls the program.'
        : `The code on the stack does not show whether this socket has a timeout (it was made elsewhere); without one the read waits forever when the peer never answers (\`snag dump --native\` tells: a poll() under the read means a timeout is set). ${SET_TIMEOUT}`;
  return {
    kind: 'socket-wait',
    severity: timeout === 'armed' ? 'info' : 'warning',
    phrase: `waits in ${what}${suffix}`,
    call: `${what}${suffix}`,
    detail,
    frame,
  };
};
