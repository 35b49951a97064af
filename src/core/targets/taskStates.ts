// Which threads of a process run, from the kernel's view: `/proc/<pid>/task/*/status`, read where
// the process lives. py-spy reading a container's process from the host cannot match the
// interpreter's thread ids (the container's) to the host's tasks and calls every thread active; each
// task's NSpid line names it in both namespaces, which closes the gap.
import type { Runner } from './target';

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

/** The process's tasks; empty when it is gone or /proc cannot be read. Never throws. */
export async function readTasks(runner: Runner, pid: number, signal?: AbortSignal): Promise<TaskState[]> {
  try {
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
