// What the kernel says about a process, read through a target's runner where it lives (a
// container, an ssh host): its tasks, and who traces it when an attach is refused. The parsers and
// this machine's direct /proc readers are in ../proc/.
import { SnagError } from '../errors';
import { parseTaskStatus, readLocalTasks, type TaskState } from '../proc/tasks';
import { readTracer } from '../proc/tracer';
import type { Runner } from '../runner';

/**
 * The process's tasks; empty when it is gone or /proc cannot be read. Never throws. `local`: this
 * machine's /proc is read directly (no process to spawn on a path that runs with every dump).
 */
export async function readTasks(runner: Runner, pid: number, signal?: AbortSignal, local = false): Promise<TaskState[]> {
  if (local) return readLocalTasks(pid);
  try {
    const { stdout } = await runner.run(['sh', '-c', 'cat /proc/"$1"/task/*/status 2>/dev/null', 'sh', String(pid)], {
      timeoutMs: 10_000,
      signal,
      okExitCodes: [0, 1],
      maxBytes: 4 * 1024 * 1024,
    });
    return parseTaskStatus(stdout);
  } catch {
    return [];
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
  return new SnagError(
    'permission-denied',
    `Process ${pid} is already being traced by ${who}, and only one debugger can attach at a time. Stop or detach ${tracer.name ?? 'it'}, then try again.`,
    [],
    { cause: err },
  );
}
