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
