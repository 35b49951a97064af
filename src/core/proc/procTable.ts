// This machine's process table read from /proc directly: the columns Snag's listing asks `ps` for
// elsewhere (pid, ppid, user, stat, pcpu, rss, nlwp, etimes, args), without starting a program.
// Reads are synchronous into one buffer (a /proc file is generated in memory: no disk to wait
// for, and a sync read costs a fraction of a promise round trip per file); callers read in
// batches and yield between them. A process that vanishes mid-read is simply absent.
import { closeSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs';

const buffer = Buffer.allocUnsafe(64 * 1024);

/**
 * A whole small /proc file (stat, status, cmdline) as text, or undefined when it cannot be read.
 * These files hand over everything in one read when the buffer is large enough (a short read is
 * the end); a longer one (a huge command line) is read on to its end.
 */
export function readProcText(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const n = readSync(fd, buffer, 0, buffer.length, null);
    if (n < buffer.length) return buffer.toString('utf8', 0, n);
    const parts = [Buffer.from(buffer.subarray(0, n))];
    for (;;) {
      const m = readSync(fd, buffer, 0, buffer.length, null);
      if (m <= 0) break;
      parts.push(Buffer.from(buffer.subarray(0, m)));
    }
    return Buffer.concat(parts).toString('utf8');
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** The processes (not threads) /proc lists now, in ascending pid order. */
export function listPids(): number[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const n of names) {
    const c = n.charCodeAt(0);
    if (c >= 48 && c <= 57) pids.push(Number(n));
  }
  return pids.sort((a, b) => a - b);
}

/** The resolved executable, or undefined (a kernel thread, a zombie, another user's process). */
export function readExe(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return undefined;
  }
}

/** The command line's arguments ([] for a kernel thread or a zombie), or undefined when the process is gone. */
export function readArgs(pid: number): string[] | undefined {
  const text = readProcText(`/proc/${pid}/cmdline`);
  if (text === undefined) return undefined;
  const args = text.split('\0');
  if (args[args.length - 1] === '') args.pop();
  return args;
}

/** Seconds since boot, from /proc/uptime. */
export function readUptime(): number {
  return Number(readProcText('/proc/uptime')?.split(' ')[0] ?? NaN);
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** What `ps` prints about a process, besides its user's name and its command line. */
export interface ProcRow {
  pid: number;
  ppid: number;
  /** The name in /proc/<pid>/stat (what `ps` shows in brackets for a kernel thread). */
  comm: string;
  /** ps's STAT: the state letter, then < N L s l + as procps adds them. */
  state: string;
  /** The effective user id. */
  uid: number;
  rssKb: number;
  threads: number;
  elapsedSeconds: number;
  /** CPU over the process's lifetime, % of one core, to 0.1 (ps's %CPU). */
  cpuPercent: number;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
}

/** One process's row from /proc/<pid>/stat and status; undefined when it is gone. `uptime`: readUptime(). */
export function readProcRow(pid: number, uptime: number): ProcRow | undefined {
  const stat = readProcText(`/proc/${pid}/stat`);
  const status = stat === undefined ? undefined : readProcText(`/proc/${pid}/status`);
  if (stat === undefined || status === undefined) return undefined;
  return parseProcRow(pid, stat, status, uptime);
}

/** Parses a process's stat and status the way procps does for its columns. */
export function parseProcRow(pid: number, stat: string, status: string, uptime: number): ProcRow | undefined {
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  // Fields after the name (which may hold spaces and parens), from field 3 (state) on.
  const f = stat.slice(close + 2).split(' ');
  const [state, ppid, pgrp, session, tpgid] = [f[0] ?? '?', Number(f[1]), Number(f[2]), Number(f[3]), Number(f[5])];
  const cpuTicks = Number(f[11]) + Number(f[12]);
  const nice = Number(f[16]);
  const threads = Number(f[17]);
  const startTicks = Number(f[19]);
  if (!Number.isFinite(ppid) || !Number.isFinite(startTicks)) return undefined;
  const uid = Number(/^Uid:\s+\d+\s+(\d+)/m.exec(status)?.[1] ?? NaN);
  const locked = Number(/^VmLck:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  let flags = state;
  if (nice < 0) flags += '<';
  else if (nice > 0) flags += 'N';
  if (locked > 0) flags += 'L';
  if (session === pid) flags += 's';
  if (threads > 1) flags += 'l';
  if (pgrp === tpgid) flags += '+';
  const alive = Math.max(0, uptime - startTicks / CLOCK_TICKS);
  const elapsedSeconds = Math.floor(alive);
  // ps: tenths of a percent of one core over the process's life, rounded down.
  const cpuPercent = alive > 0 ? Math.floor((cpuTicks * 1000) / CLOCK_TICKS / alive) / 10 : 0;
  return { pid, ppid, comm: stat.slice(open + 1, close), state: flags, uid, rssKb, threads, elapsedSeconds, cpuPercent, cpuTicks };
}

/** The command line ps prints: the arguments joined, else `[name]` (a kernel thread), `[name] <defunct>` (a zombie). */
export function psCommand(args: readonly string[], row: Pick<ProcRow, 'comm' | 'state'> | undefined): string {
  if (args.length) return args.join(' ');
  return row ? `[${row.comm}]${row.state.startsWith('Z') ? ' <defunct>' : ''}` : '';
}
