// Long-running programs the e2e tests start (code-server, the demo script), on top of the
// project's runStreaming(): their own process group, output kept for failure messages, and a
// stop() that takes the whole group down.
import { runStreaming, type RunOptions } from '../../../src/core/run';

export interface Background {
  pid: number;
  /** stdout so far, then stderr once the program ended (for failure messages). */
  output(): string;
  hasExited(): boolean;
  /** The exit code, or 'timeout' when it is still running after `ms`. */
  exitedWithin(ms: number): Promise<number | 'timeout'>;
  /** Kills the process group (SIGKILL) and waits for the leader. */
  stop(): Promise<void>;
}

/** Groups still running; killed when the test process exits without its after hooks. */
const running = new Set<number>();
process.on('exit', () => {
  for (const pgid of running) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});

/** Starts argv with no time limit of its own (an hour): the test stops it. Resolves once it runs. */
export async function startInBackground(argv: readonly string[], opts: Pick<RunOptions, 'cwd' | 'env'> = {}): Promise<Background> {
  const lines: string[] = [];
  let tail = '';
  let reportSpawn: (pid: number | undefined) => void = () => undefined;
  const spawned = new Promise<number | undefined>((resolve) => (reportSpawn = resolve));
  const program = runStreaming(argv, (line) => lines.push(line), { ...opts, timeoutMs: 60 * 60_000, onSpawn: reportSpawn });
  let code: number | undefined;
  const ended = program.done.then(
    (r) => (code = r.exitCode),
    (err: { exitCode?: number; stderr?: string; message?: string }) => {
      tail = `${err.message ?? ''}\n${err.stderr ?? ''}`;
      return (code = err.exitCode ?? -1);
    },
  );
  const output = () => [...lines.slice(-60), tail].join('\n');
  const pid = await Promise.race([spawned, ended.then(() => undefined)]);
  if (pid === undefined) throw new Error(`could not start ${argv[0]}: ${output()}`);
  running.add(pid);
  void ended.then(() => running.delete(pid));
  return {
    pid,
    output,
    hasExited: () => code !== undefined,
    async exitedWithin(ms) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)));
      try {
        return await Promise.race([ended, late]);
      } finally {
        clearTimeout(timer);
      }
    },
    async stop() {
      program.stop();
      await ended;
    },
  };
}
