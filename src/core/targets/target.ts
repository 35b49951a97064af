// A target is where processes live. It lists them and runs argv "there": a runner only rewrites
// the argv so it reaches the process's namespace (local: as is; docker: `docker exec <id> …`;
// ssh: `ssh host -- <quoted argv>`), so targets compose (containers on an ssh host).
import type { ProcessInfo, TargetRef } from '../model';
import type { RunOptions, RunResult } from '../run';

export interface Runner {
  /** Runs argv where the target's processes live. Same guarantees as run(). */
  run(argv: readonly string[], opts?: RunOptions): Promise<RunResult>;
  /** The argv that run() would start locally (for logs, streaming and composition). */
  wrap(argv: readonly string[]): string[];
}

export interface ListOptions {
  signal?: AbortSignal;
  /** Include processes that are not Python. */
  all?: boolean;
}

export interface Target {
  readonly ref: TargetRef;
  readonly runner: Runner;
  listProcesses(opts?: ListOptions): Promise<ProcessInfo[]>;
}
