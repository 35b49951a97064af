// What the kernel says about a process, read where it lives: which of its threads run
// (`/proc/<pid>/task/*/status`) and which debugger traces it. py-spy reading a container's process
// from the host cannot match the interpreter's thread ids (the container's) to the host's tasks and
// calls every thread active; each task's NSpid line names it in both namespaces, which closes the gap.
import { readdir, readFile } from 'node:fs/promises';
import { SnagError } from '../errors';
import type { Runner, Target } from './target';

export interface TaskState {
  /** The task's id in each PID namespace, outermost (the reader's) first: `NSpid: 4242 17`. */
  ids: number[];
  /** Kernel state letter: R running, S sleeping, D disk wait, T/t stopped, ... */
  state: string;
}

/** Parses concatenated `status` files (each begins with `Name:`). */
export function parseTaskStatus(text: string): TaskState[] {
  const out: TaskState[] = [];
  for (const block of text.split(/^(?=Name:)/m)) {
    const state = /^State:\s*(\S)/m.exec(block)?.[1];
    const ns = /^NSpid:\s*([\d\s]+)$/m.exec(block)?.[1] ?? /^Pid:\s*(\d+)/m.exec(block)?.[1];
    const ids = (ns ?? '').trim().split(/\s+/).filter(Boolean).map(Number);
    if (state && ids.length) out.push({ ids, state });
  }
  return out;
}

/**
 * The process's tasks; empty when it is gone or /proc cannot be read. Never throws. `local`: this
 * machine's /proc is read directly (no process to spawn on a path that runs with every dump).
 */
export async function readTasks(runner: Runner, pid: number, signal?: AbortSignal, local = false): Promise<TaskState[]> {
  try {
    if (local) {
      const tids = await readdir(`/proc/${pid}/task`);
      return parseTaskStatus((await Promise.all(tids.map((t) => readFile(`/proc/${pid}/task/${t}/status`, 'utf8').catch(() => '')))).join(''));
    }
    const { stdout } = await runner.run(['sh', '-c', 'cat /proc/"$1"/task/*/status 2>/dev/null', 'sh', String(pid)], { timeoutMs: 10_000, signal, okExitCodes: [0, 1], maxBytes: 4 * 1024 * 1024 });
    return parseTaskStatus(stdout);
  } catch {
    return [];
  }
}

/**
 * Is the thread with this id running on a CPU? The id is the task's in its own (innermost)
 * namespace, or the reader's. undefined when no task has it.
 */
export function isRunning(tasks: readonly TaskState[], tid: number): boolean | undefined {
  const task = tasks.find((t) => t.ids[t.ids.length - 1] === tid) ?? tasks.find((t) => t.ids[0] === tid);
  return task ? task.state === 'R' : undefined;
}

/** The debugger attached to a process (TracerPid in its status), if any. Never throws. */
export async function readTracer(runner: Runner, pid: number): Promise<{ pid: number; name?: string } | undefined> {
  try {
    const { stdout } = await runner.run(['cat', `/proc/${pid}/status`], { timeoutMs: 10_000, maxBytes: 1024 * 1024 });
    const tracer = Number(/^TracerPid:\s*(\d+)/m.exec(stdout)?.[1] ?? 0);
    if (!tracer) return undefined;
    const name = await runner.run(['cat', `/proc/${tracer}/comm`], { timeoutMs: 10_000, maxBytes: 4096 }).then((r) => r.stdout.trim() || undefined, () => undefined);
    return { pid: tracer, name };
  } catch {
    return undefined;
  }
}

/**
 * A refused attach, explained: when another debugger (strace, gdb, a profiler) already traces the
 * process, that is the reason, not ptrace rules. Other errors pass through.
 */
export async function explainRefusedAttach(err: unknown, runner: Runner, pid: number): Promise<unknown> {
  if (!SnagError.is(err, 'permission-denied')) return err;
  const tracer = await readTracer(runner, pid);
  if (!tracer) return err;
  const who = tracer.name ? `${tracer.name} (pid ${tracer.pid})` : `process ${tracer.pid}`;
  return new SnagError('permission-denied', `Process ${pid} is already being traced by ${who}, and only one debugger can attach at a time. Stop or detach ${tracer.name ?? 'it'}, then try again.`, [], { cause: err });
}

/** Where a task sleeps while writing to a full pipe or FIFO (wchan: the kernel function it waits in). */
const PIPE_WRITE_WCHANS = ['anon_pipe_write', 'pipe_write', 'fifo_write', 'pipe_wait_writable'];
const PIPE_WRITE_WCHAN = new RegExp(`^(${PIPE_WRITE_WCHANS.join('|')})$`);

/** `tid wchan` lines of a process's tasks → the tids blocked writing to a pipe. */
export function parsePipeWriters(text: string): number[] {
  const out: number[] = [];
  for (const line of text.split('\n')) {
    const [tid, wchan] = line.trim().split(/\s+/);
    if (tid && wchan && PIPE_WRITE_WCHAN.test(wchan)) out.push(Number(tid));
  }
  return out;
}

/**
 * Threads of the process blocked writing to a pipe. Pausing such a thread (ptrace, as a blocking
 * py-spy read and gdb do) ends its write early: the write returns what fitted, and the program may
 * lose the rest of its output. Read on this machine from /proc directly (a dump must stay fast),
 * elsewhere through the runner. Never throws: empty when it cannot tell.
 */
export async function pipeWriters(runner: Runner, pid: number, local: boolean, signal?: AbortSignal): Promise<number[]> {
  try {
    if (local) {
      const tids = await readdir(`/proc/${pid}/task`);
      const lines = await Promise.all(tids.map(async (t) => `${t} ${(await readFile(`/proc/${pid}/task/${t}/wchan`, 'utf8').catch(() => '')).trim()}`));
      return parsePipeWriters(lines.join('\n'));
    }
    const script = 'for t in /proc/"$1"/task/*; do printf "%s %s\\n" "${t##*/}" "$(cat "$t/wchan" 2>/dev/null)"; done';
    const { stdout } = await runner.run(['sh', '-c', script, 'sh', String(pid)], { timeoutMs: 10_000, signal, okExitCodes: [0, 1], maxBytes: 1024 * 1024 });
    return parsePipeWriters(stdout);
  } catch {
    return [];
  }
}

/**
 * For targets behind a connection (an ssh host), the same check in the same round trip: a fixed
 * sh script looks at each task's wchan, names the pipe writers on stderr, and runs the py-spy argv
 * with `--nonblocking` added when there is one. Read the tids back with pipeWritersIn(stderr).
 */
const PIPE_GUARD = [
  'pid=$1; shift; nb=',
  'for t in /proc/"$pid"/task/*; do',
  `  case "$(cat "$t/wchan" 2>/dev/null)" in ${PIPE_WRITE_WCHANS.join('|')}) echo "snag-pipe-writer \${t##*/}" >&2; nb=1;; esac`,
  'done',
  'if [ -n "$nb" ]; then exec "$@" --nonblocking; else exec "$@"; fi',
].join('\n');

function pipeGuardedArgv(pid: number, pyspyArgv: readonly string[]): string[] {
  return ['sh', '-c', PIPE_GUARD, 'snag-py-spy', String(pid), ...pyspyArgv];
}

function pipeWritersIn(stderr: string): number[] {
  return [...stderr.matchAll(/^snag-pipe-writer (\d+)$/gm)].map((m) => Number(m[1]));
}

/** A py-spy run that never pauses a pipe writer, and how to learn afterwards which threads were. */
export interface PipeSafeRun {
  argv: string[];
  writers(stderr: string): number[];
}

/**
 * The argv for a py-spy that may pause the process (`pyspyArgv(nonblocking)`), made safe for pipe
 * writers: on this machine checked in /proc first; behind a connection in the same round trip.
 */
export async function pipeSafeRun(target: Target, pid: number, pyspyArgv: (nonblocking: boolean) => string[], nonblocking: boolean | undefined, signal?: AbortSignal): Promise<PipeSafeRun> {
  if (nonblocking) return { argv: pyspyArgv(true), writers: () => [] };
  if (target.ref.kind !== 'local') return { argv: pipeGuardedArgv(pid, pyspyArgv(false)), writers: pipeWritersIn };
  const found = await pipeWriters(target.runner, pid, true, signal);
  return { argv: pyspyArgv(found.length > 0), writers: () => found };
}

/** The note a dump read without pausing (for these threads) carries. */
export function pipeWriterNote(tids: readonly number[]): string {
  return `Read without pausing the process: thread${tids.length === 1 ? '' : 's'} ${tids.join(', ')} ${tids.length === 1 ? 'is' : 'are'} blocked writing to a pipe, and a pause would end that write early (the program could lose the rest of its output).`;
}
