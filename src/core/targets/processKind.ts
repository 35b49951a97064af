// Why a process has no Python stacks to read, when the kernel can say so: a kernel thread (pid 2,
// kworker/…) or a zombie. Tools only report "no such process" or "Operation not permitted" for these,
// which sends people looking for a process that exited or for permissions they already have.
import { readFile } from 'node:fs/promises';
import { PidReusedError, SnagError } from '../errors';
import type { Target } from './target';
import { isThisMachine } from './targetPlace';
import { safeText } from '../text/safeText';
import { procList, procText } from '../procFiles';

/** PF_KTHREAD in the flags field of /proc/<pid>/stat (include/linux/sched.h). */
const PF_KTHREAD = 0x00200000;

export interface ProcessKind {
  name: string;
  state: string;
  ppid: number;
  kernelThread: boolean;
  /** Its threads that have not exited (read with the process's tasks). */
  liveThreads?: number;
}

/** Parses /proc/<pid>/stat; the name is between the first '(' and the last ')' (it may hold both). */
export function parseProcStat(text: string): ProcessKind | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const f = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // After the name: state(3) ppid(4) pgrp session tty_nr tpgid flags(9).
  const flags = Number(f[6]);
  if (!f[0] || !Number.isFinite(flags)) return undefined;
  return { name: text.slice(open + 1, close), state: f[0], ppid: Number(f[1]), kernelThread: (flags & PF_KTHREAD) !== 0 };
}

/** The process's stat line, then each of its tasks' (a leader that exited leaves its other threads running). */
const STATS_SCRIPT = 'cat /proc/"$1"/stat; for t in /proc/"$1"/task/*/stat; do cat "$t"; done 2>/dev/null';

async function readStat(target: Target, pid: number, signal?: AbortSignal): Promise<ProcessKind | undefined> {
  try {
    const lines = isThisMachine(target)
      ? [await readFile(`/proc/${pid}/stat`, 'utf8'), ...procList(`/proc/${pid}/task`).map((t) => procText(`/proc/${pid}/task/${t}/stat`) ?? '')]
      : (await target.runner.run(['sh', '-c', STATS_SCRIPT, 'sh', String(pid)], { timeoutMs: 10_000, signal, maxBytes: 4 * 1024 * 1024 })).stdout.split('\n');
    const kind = parseProcStat(lines[0] ?? '');
    if (!kind) return undefined;
    const tasks = lines
      .slice(1)
      .map((l) => parseProcStat(l))
      .filter((k): k is ProcessKind => k !== undefined);
    return { ...kind, liveThreads: tasks.filter((k) => k.state !== 'Z' && k.state !== 'X').length };
  } catch {
    return undefined;
  }
}

/** The error for a kernel thread or a zombie (from its stat), else undefined. */
export function kindError(pid: number, kind: ProcessKind | undefined, cause?: unknown): SnagError | undefined {
  if (!kind) return undefined;
  const name = safeText(kind.name);
  if (kind.kernelThread)
    return new SnagError(
      'not-python',
      `Process ${pid} (${name}) is a kernel thread, not a Python process: it has no Python stacks to read. Pick a Python process (snag ps lists them).`,
      ['refresh-processes'],
      { cause },
    );
  // The main thread called pthread_exit (or returned from a C main) while others still run: the
  // leader shows as a zombie, the process lives on, and the tools cannot attach through it.
  if (kind.state === 'Z' && kind.liveThreads)
    return new SnagError(
      'process-gone',
      `Process ${pid} (${name}) is alive but its main thread has exited, while ${kind.liveThreads} other thread${kind.liveThreads === 1 ? '' : 's'} still run${kind.liveThreads === 1 ? 's' : ''}: py-spy and gdb cannot read a process whose main thread is gone. /proc/${pid}/task/*/stack (as root) shows where each thread waits in the kernel; end the process to free what it holds.`,
      ['refresh-processes'],
      { cause },
    );
  if (kind.state === 'Z')
    return new SnagError(
      'process-gone',
      `Process ${pid} (${name}) is a zombie: it has exited and its parent (pid ${kind.ppid}) has not yet collected its exit status, so there are no stacks to read.`,
      ['refresh-processes'],
      { cause },
    );
  return undefined;
}

/**
 * A failed dump or sampling, explained when the process is a kernel thread or a zombie (read on the
 * target only after a failure, so a working dump costs nothing). Cancellation and other errors pass through.
 */
export async function explainProcessKind(err: unknown, target: Target, pid: number, signal?: AbortSignal): Promise<unknown> {
  // Only failures a kernel thread or zombie can cause: not a lost connection (asking would reconnect),
  // a timeout, a Cancel, bad input or a missing tool.
  // A pid that names another process now says nothing about the target.
  if (err instanceof PidReusedError) return err;
  if (!SnagError.is(err) || !['process-gone', 'permission-denied', 'not-python', 'tool-failed', 'unsupported-python'].includes(err.reason)) return err;
  return kindError(pid, await readStat(target, pid, signal), err) ?? err;
}

/** The Tgid line of /proc/<n>/status: the process a task belongs to (itself, for a process). */
export function parseTgid(status: string): number | undefined {
  const m = /^Tgid:\s*(\d+)\s*$/m.exec(status);
  return m ? Number(m[1]) : undefined;
}

/**
 * A thread id given where a process id belongs (`snag dump <TID>`): /proc/<tid> exists, so tools
 * read the whole process and Snag would title it "Process <TID>". Refused, naming the process to
 * read instead. On this machine only (a cheap /proc read, before any tool runs); elsewhere undefined.
 * `readAs`: how the user reads that process instead (`snag dump`).
 */
export async function threadIdError(target: Target, pid: number, readAs: string): Promise<SnagError | undefined> {
  if (!isThisMachine(target)) return undefined;
  const tgid = parseTgid(await readFile(`/proc/${pid}/status`, 'utf8').catch(() => ''));
  if (tgid === undefined || tgid === pid) return undefined;
  const name = (await readFile(`/proc/${tgid}/comm`, 'utf8').catch(() => '')).trim();
  return new SnagError(
    'bad-input',
    `${pid} is a thread of process ${tgid}${name ? ` (${safeText(name)})` : ''}, not a process id: ${readAs} ${tgid} reads all its threads, this one among them.`,
    ['refresh-processes'],
  );
}
