// Waits for something to arrive rather than for a reply: an idle asyncio event loop, a server
// waiting for requests or connections, select()/selectors, signal.pause(). Usually the program at
// rest; the finding says so, and where to look when it should not be resting.
import type { Frame, ThreadStack } from '../model';
import { anchorFrame, callSite, isFrame, nativeInner } from './frames';
import type { DiagnoseContext, ThreadRule, ThreadWait } from './rule';
import { inTimeSleep } from './sleepWait';

const NATIVE_SELECT = /^(select|__select|pselect6?|epoll_wait|epoll_pwait|poll|__poll|ppoll|select_select_impl|select_epoll_poll_impl|select_poll_poll_impl)$/;
const NATIVE_ACCEPT = /^(sock_accept|accept|accept4|__libc_accept)$/;
const NATIVE_PAUSE = /^(signal_pause|signal_pause_impl|pause|__libc_pause)$/;
const SELECT_LINE = /\bselect\.select\s*\(|\.select\s*\(/;
const ACCEPT_LINE = /\.accept\s*\(/;
const PAUSE_LINE = /\bsignal\.pause\s*\(|(^|[^\w.])pause\s*\(\s*\)/;

const isSelector = (f: Frame) =>
  isFrame(
    f,
    'selectors.py',
    'SelectSelector.select',
    '_PollLikeSelector.select',
    'EpollSelector.select',
    'PollSelector.select',
    'DevpollSelector.select',
    'KqueueSelector.select',
  );

/** The Python frames inside the thread's innermost user frame (the library call it is in). */
function libraryPart(t: ThreadStack): Frame[] {
  const python = t.frames.filter((f) => !f.native);
  const firstUser = python.findIndex((f) => f.isUserCode);
  return firstUser < 0 ? python : python.slice(0, firstUser);
}

function wait(kind: string, phrase: string, detail: string, t: ThreadStack): ThreadWait {
  return { kind, severity: 'info', phrase, call: phrase.replace(/^waits (for|in) /, ''), detail, frame: anchorFrame(t) };
}

export const ioWait: ThreadRule = async (t: ThreadStack, ctx: DiagnoseContext): Promise<ThreadWait | undefined> => {
  const natives = nativeInner(t).map((f) => f.function);
  const lib = libraryPart(t);
  const python = t.frames.filter((f) => !f.native);
  const caller = callSite(t);
  const line = caller && natives.length === 0 ? ((await ctx.source.line(caller)) ?? '') : '';
  // time.sleep waits in select() with no fd before 3.11: that is the sleep rule's.
  const selecting = lib.some(isSelector) || (natives.some((n) => NATIVE_SELECT.test(n)) && !inTimeSleep(t)) || SELECT_LINE.test(line);

  if (
    selecting &&
    python.some((f) => isFrame(f, 'asyncio/base_events.py', 'BaseEventLoop._run_once')) &&
    !python.some((f) => isFrame(f, 'asyncio/events.py', 'Handle._run'))
  ) {
    return wait(
      'asyncio-idle',
      'runs an idle asyncio event loop (every task is waiting)',
      "The event loop waits in select() for I/O or a timer: no task is running. If the program should be making progress, a task awaits something that never happens — a Future nobody resolves, a lock never released, a read with no timeout. A dump cannot see coroutines: asyncio.all_tasks() with each task's print_stack() (or asyncio debug mode, python -X dev) shows what each one awaits.",
      t,
    );
  }
  // A library's own helper thread (no frame of the user's) waiting so is its machinery at rest.
  if (t.name !== 'MainThread' && !t.frames.some((f) => f.isUserCode)) return undefined;
  if (selecting && lib.some((f) => isFrame(f, 'socketserver.py', 'BaseServer.serve_forever'))) {
    return wait(
      'server-idle',
      'waits for requests (socketserver serve_forever)',
      'The server waits for the next request; nothing is wrong unless clients should be sending some (check the address and port they use).',
      t,
    );
  }
  if (lib.some((f) => isFrame(f, 'socket.py', 'socket.accept')) || natives.some((n) => NATIVE_ACCEPT.test(n)) || ACCEPT_LINE.test(line)) {
    return wait(
      'accept-wait',
      'waits for a connection in accept()',
      'A server socket waits for the next client; nothing is wrong unless one should be connecting (check the address and port it uses, and firewalls in between).',
      t,
    );
  }
  if (natives.some((n) => NATIVE_PAUSE.test(n)) || PAUSE_LINE.test(line)) {
    return wait(
      'signal-pause',
      'waits for a signal in signal.pause()',
      'signal.pause() returns only when a signal arrives: a program that waits for SIGTERM, SIGINT or SIGUSR1 to act looks like this. Send the signal it expects, or check who should.',
      t,
    );
  }
  if (selecting) {
    const pipe = caller ? await ownPipe(caller, ctx) : undefined;
    if (pipe)
      return wait(
        'select-wait',
        `waits in select() for its own pipe (os.pipe() at line ${pipe.line})`,
        `It watches ${pipe.read}, the read end of a pipe this process made itself: only its own code can wake it, by writing to ${pipe.write ?? 'the write end'} (os.write(${pipe.write ?? 'w'}, b"x")). If the code that should write never runs (an exception, a missed signal, the write end closed or lost), this waits forever; a select() with no timeout never returns on its own.`,
        t,
      );
    return wait(
      'select-wait',
      'waits in select() for a file descriptor',
      'The thread waits until a socket or pipe it watches becomes readable or writable, or its timeout passes. If nothing ever arrives, look at who should write to it; a select() with no timeout waits forever.',
      t,
    );
  }
  return undefined;
};

const PIPE_ASSIGN = /^\s*\(?\s*([A-Za-z_][\w.]*)\s*,\s*([A-Za-z_][\w.]*)\s*\)?\s*=\s*os\.pipe2?\s*\(/;

/** The select()'s read list names the read end of a pipe the code made with os.pipe() (a self-pipe). */
async function ownPipe(caller: Frame, ctx: DiagnoseContext): Promise<{ read: string; write?: string; line: number } | undefined> {
  const lines = await ctx.source.lines(caller);
  const line = lines?.[caller.line - 1];
  const first = line ? /select\s*\(\s*\[([^\]]*)\]/.exec(line)?.[1] : undefined;
  if (!lines || !first) return undefined;
  const watched = first
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  for (let i = caller.line - 2; i >= 0 && i >= caller.line - 200; i--) {
    const m = PIPE_ASSIGN.exec(lines[i]!);
    if (m && watched.includes(m[1]!)) return { read: m[1]!, write: m[2], line: i + 1 };
  }
  // An attribute (`self._wake_r`) set in another method of the class: anywhere in the file.
  if (watched.some((w) => w.includes('.')))
    for (const [i, l] of lines.entries()) {
      const m = PIPE_ASSIGN.exec(l);
      if (m && watched.includes(m[1]!)) return { read: m[1]!, write: m[2], line: i + 1 };
    }
  return undefined;
}
