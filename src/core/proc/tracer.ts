// Which debugger traces a process (TracerPid in its status), read where the process lives.
import type { Runner } from '../runner';

/** The debugger attached to a process, if any. Never throws. */
export async function readTracer(runner: Runner, pid: number): Promise<{ pid: number; name?: string } | undefined> {
  try {
    const { stdout } = await runner.run(['cat', `/proc/${pid}/status`], { timeoutMs: 10_000, maxBytes: 1024 * 1024 });
    const tracer = Number(/^TracerPid:\s*(\d+)/m.exec(stdout)?.[1] ?? 0);
    if (!tracer) return undefined;
    const name = await runner.run(['cat', `/proc/${tracer}/comm`], { timeoutMs: 10_000, maxBytes: 4096 }).then(
      (r) => r.stdout.trim() || undefined,
      () => undefined,
    );
    return { pid: tracer, name };
  } catch {
    return undefined;
  }
}
