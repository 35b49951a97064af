// Which descriptor a thread is blocked on, from the kernel: /proc/PID/task/TID/syscall names the
// system call a sleeping thread is in and its arguments. For a call on one descriptor (read, recv,
// connect, accept) the first argument is that descriptor, which tells a thread's socket among
// hundreds alike; for poll/select/epoll there is no one descriptor to name. Read with the same
// ptrace rights as the dump; undefined wherever it cannot be said.
import { procText } from '../procFiles';

/** The calls whose first argument is the one descriptor the thread waits on, by machine. */
const ONE_FD_CALLS: Partial<Record<NodeJS.Architecture, ReadonlySet<number>>> = {
  // read, readv, connect, accept, recvfrom, recvmsg, accept4
  x64: new Set([0, 19, 42, 43, 45, 47, 288]),
  // read, readv, accept, connect, recvfrom, recvmsg, accept4 (the generic table)
  arm64: new Set([63, 65, 202, 203, 207, 212, 242]),
};

/** Parses a `syscall` file's text: the descriptor, when the call is on one. */
export function parseBlockedFd(text: string, arch: NodeJS.Architecture = process.arch): number | undefined {
  const calls = ONE_FD_CALLS[arch];
  const [nr, first] = text.trim().split(/\s+/);
  if (!calls || !nr || !first || !/^\d+$/.test(nr) || !calls.has(Number(nr)) || !/^0x[0-9a-f]+$/i.test(first)) return undefined;
  const fd = parseInt(first, 16);
  return Number.isSafeInteger(fd) && fd >= 0 && fd < 2 ** 31 ? fd : undefined;
}

/** The descriptor thread `tid` of process `pid` (ids of this machine) is blocked on, if one. */
export function readBlockedFd(pid: number, tid: number): number | undefined {
  const text = procText(`/proc/${pid}/task/${tid}/syscall`);
  return text === undefined ? undefined : parseBlockedFd(text);
}

/** What a thread sleeping in the kernel waits in, by its system call: a futex (a lock, a condition, the GIL), a timed sleep, or a poll of descriptors. */
export type BlockedCall = 'futex' | 'sleep' | 'poll' | 'other';

const CALL_KINDS: Partial<Record<NodeJS.Architecture, Record<number, BlockedCall>>> = {
  // futex; nanosleep, clock_nanosleep; select, poll, pselect6, ppoll, epoll_wait, epoll_pwait
  x64: { 202: 'futex', 35: 'sleep', 230: 'sleep', 23: 'poll', 7: 'poll', 270: 'poll', 271: 'poll', 232: 'poll', 281: 'poll' },
  // futex; nanosleep, clock_nanosleep; pselect6, ppoll, epoll_pwait (the generic table)
  arm64: { 98: 'futex', 101: 'sleep', 115: 'sleep', 72: 'poll', 73: 'poll', 22: 'poll' },
};

/** Parses a `syscall` file's text: the kind of call a sleeping thread is in; undefined when it runs (or the text is unreadable). */
export function parseBlockedCall(text: string, arch: NodeJS.Architecture = process.arch): BlockedCall | undefined {
  const nr = text.trim().split(/\s+/)[0];
  if (!nr || !/^\d+$/.test(nr)) return undefined; // "running", or -1 outside a call
  return CALL_KINDS[arch]?.[Number(nr)] ?? 'other';
}

/** The kind of system call thread `tid` of process `pid` (ids of this machine) sleeps in, if any. */
export function readBlockedCall(pid: number, tid: number): BlockedCall | undefined {
  const text = procText(`/proc/${pid}/task/${tid}/syscall`);
  return text === undefined ? undefined : parseBlockedCall(text);
}
