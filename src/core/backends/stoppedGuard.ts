// Makes sure a process Snag attached to with ptrace is running afterwards. When a debugger dies
// between PTRACE_ATTACH and handling the SIGSTOP that attaching sends (killed, timed out, Snag
// cancelled), the kernel detaches the process but the SIGSTOP still lands: the process sits in
// state T, stopped, until someone sends SIGCONT. Checks run through the target's runner, so they
// work where the process lives (a container, an ssh host).
import type { Runner } from '../targets/target';
import { readTasks } from '../targets/taskStates';

const CHECK_TIMEOUT_MS = 10_000;

/** The state letter of every task of a process, by its id where the runner runs; empty when gone. */
export async function readTaskStates(runner: Runner, pid: number): Promise<Map<number, string>> {
  // No AbortSignal on purpose: this also runs after the user cancelled the dump.
  return new Map((await readTasks(runner, pid)).map((t) => [t.ids[0]!, t.state]));
}

export function isStopped(states: ReadonlyMap<number, string>): boolean {
  return [...states.values()].some((s) => s === 'T');
}

export type GuardOutcome =
  /** Running (or sleeping) and nothing was needed. */
  | 'running'
  /** Snag sent SIGCONT; the process runs again. */
  | 'resumed'
  | 'gone'
  /** Still stopped after SIGCONT (someone else stops it, or Snag may not signal it). */
  | 'still-stopped';

/**
 * After a debugger exited: SIGCONT the process if any task is stopped, or always when `force`
 * (the debugger did not exit cleanly, so a SIGSTOP may still be pending: SIGCONT discards it).
 * Call it only for processes that were not stopped before Snag attached.
 */
export async function resumeIfLeftStopped(runner: Runner, pid: number, opts: { force: boolean }): Promise<GuardOutcome> {
  const states = await readTaskStates(runner, pid);
  if (states.size === 0) return 'gone';
  const stopped = isStopped(states);
  if (!stopped && !opts.force) return 'running';
  try {
    await runner.run(['sh', '-c', 'kill -CONT "$1"', 'sh', String(pid)], { timeoutMs: CHECK_TIMEOUT_MS });
  } catch {
    /* not ours to signal, or gone: the check below tells */
  }
  const after = await readTaskStates(runner, pid);
  if (after.size === 0) return 'gone';
  if (isStopped(after)) return 'still-stopped';
  return stopped ? 'resumed' : 'running';
}
