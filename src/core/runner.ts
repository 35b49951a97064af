// Where argv runs: a runner only rewrites argv so it reaches a process's namespace (this machine
// as is; `docker exec <id> …`; `ssh host -- <quoted argv>`), so runners compose.
import type { RunOptions, RunResult } from './run';

export interface Runner {
  /** Runs argv where the target's processes live. Same guarantees as run(). */
  run(argv: readonly string[], opts?: RunOptions): Promise<RunResult>;
  /** The argv that run() would start locally (for logs, streaming and composition). */
  wrap(argv: readonly string[]): string[];
  /**
   * argv runs on this machine as given: what a tool run here starts is this machine's processes, and
   * ends with the tool (RunOptions.endDescendants). Not a prefixing runner (ssh, `docker exec`), whose
   * local program is only a client.
   */
  readonly here?: boolean;
}
