// What the kernel says about a process's threads (tasks), read from /proc: each task's ids in every
// PID namespace (NSpid), its state letter, and where it sleeps in the kernel (wchan). Parsers take
// text so the same code reads this machine's /proc directly and a remote one through a runner.
import { procList, procMap, procText } from '../procFiles';

export interface TaskState {
  /** The task's id in each PID namespace, outermost (the reader's) first: `NSpid: 4242 17`. */
  ids: number[];
  /** Kernel state letter: R running, S sleeping, D disk wait, T stopped, t traced, Z zombie, ... */
  state: string;
  /** The kernel function the task sleeps in (`pipe_write`), when read. */
  wchan?: string;
  /** A SIGSTOP is pending: sent, not yet delivered (the task stops any moment). */
  stopPending?: boolean;
}

/** SIGSTOP (19 on Linux) as a bit of the SigPnd/ShdPnd masks. */
const SIGSTOP_BIT = 1n << 18n;

/** Parses concatenated `status` files (each begins with `Name:`). */
export function parseTaskStatus(text: string): TaskState[] {
  const out: TaskState[] = [];
  for (const block of text.split(/^(?=Name:)/m)) {
    const state = /^State:\s*(\S)/m.exec(block)?.[1];
    const ns = /^NSpid:\s*([\d\s]+)$/m.exec(block)?.[1] ?? /^Pid:\s*(\d+)/m.exec(block)?.[1];
    const ids = (ns ?? '').trim().split(/\s+/).filter(Boolean).map(Number);
    const pending = [...block.matchAll(/^(?:SigPnd|ShdPnd):\s*([0-9a-f]+)$/gim)].some((m) => (BigInt(`0x${m[1]}`) & SIGSTOP_BIT) !== 0n);
    if (state && ids.length) out.push({ ids, state, ...(pending ? { stopPending: true } : {}) });
  }
  return out;
}

/**
 * This machine's tasks of a process, read from /proc without starting a program (it runs with
 * every dump); `wchan` too when asked. Empty when the process is gone or unreadable. Never throws.
 */
export async function readLocalTasks(pid: number, opts: { wchan?: boolean } = {}): Promise<TaskState[]> {
  const tids = procList(`/proc/${pid}/task`);
  const tasks = await procMap(tids, (tid) => {
    const task = parseTaskStatus(procText(`/proc/${pid}/task/${tid}/status`) ?? '')[0];
    if (task && opts.wchan) task.wchan = (procText(`/proc/${pid}/task/${tid}/wchan`) ?? '').trim();
    return task;
  });
  return tasks.filter((t): t is TaskState => t !== undefined);
}

/**
 * The process's start time (field 22 of /proc/<pid>/stat, in clock ticks since boot): the same pid
 * with another start time is another process. undefined when it is gone. Never throws.
 */
export async function readLocalStartTime(pid: number): Promise<string | undefined> {
  const stat = procText(`/proc/${pid}/stat`);
  // Fields after the name (which may hold spaces and parentheses) start after the last ')'.
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

/** Stopped by a signal (T) or about to be (a SIGSTOP pending), not merely traced (t) while a debugger reads it. */
export function anyStopped(tasks: readonly TaskState[]): boolean {
  return tasks.some((t) => t.state === 'T' || t.stopPending);
}

/**
 * Is the thread with this id running on a CPU? The id is the task's in its own (innermost)
 * namespace, or the reader's. undefined when no task has it.
 */
export function isRunning(tasks: readonly TaskState[], tid: number): boolean | undefined {
  const task = tasks.find((t) => t.ids[t.ids.length - 1] === tid) ?? tasks.find((t) => t.ids[0] === tid);
  return task ? task.state === 'R' : undefined;
}

/** Where a task sleeps while writing to a full pipe or FIFO (wchan: the kernel function it waits in). */
export const PIPE_WRITE_WCHANS: readonly string[] = ['anon_pipe_write', 'pipe_write', 'fifo_write', 'pipe_wait_writable'];

export function isPipeWrite(wchan: string | undefined): boolean {
  return wchan !== undefined && PIPE_WRITE_WCHANS.includes(wchan);
}

/**
 * The tasks blocked writing to a pipe, by their id in the process's own (innermost) PID namespace:
 * the ids the user and the tools see (a container's, when the host looks).
 */
export function pipeWriterIds(tasks: readonly TaskState[]): number[] {
  return tasks.filter((t) => isPipeWrite(t.wchan)).map((t) => t.ids[t.ids.length - 1]!);
}

/** `tid wchan` lines of a process's tasks → the tids blocked writing to a pipe. */
export function parsePipeWriters(text: string): number[] {
  const out: number[] = [];
  for (const line of text.split('\n')) {
    const [tid, wchan] = line.trim().split(/\s+/);
    if (tid && isPipeWrite(wchan)) out.push(Number(tid));
  }
  return out;
}
