// A target is where processes live. It lists them and runs argv "there": a runner only rewrites
// the argv so it reaches the process's namespace (local: as is; docker: `docker exec <id> …`;
// ssh: `ssh host -- <quoted argv>`), so targets compose (containers on an ssh host).
import type { Backend } from '../backends/backend';
import type { PathMapping, ProcessInfo, TargetRef } from '../model';
import type { RunOptions, RunResult } from '../run';
import type { ToolPlace } from '../guard/toolPlace';

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

/** How a target's frame paths relate to local files. */
export interface TargetSourceMapping {
  /** Rules the target knows itself (container bind mounts), tried before the user's. */
  mounts?: PathMapping[];
  /** False when the target's paths mean nothing on this machine (containers, remote hosts). */
  pathsAreLocal?: boolean;
  /** The user's rules for this target only (an ssh host's pathMappings), tried before their global ones. */
  mappings?: PathMapping[];
  /** Set when frames without a local copy can be read from the target (the host's label, for reasons). */
  remoteSource?: string;
}

export interface Target {
  readonly ref: TargetRef;
  readonly runner: Runner;
  listProcesses(opts?: ListOptions): Promise<ProcessInfo[]>;
  /**
   * Optional: where a tool reading process `pid` runs and how the guard watches it (default: through
   * `runner`, watched on this machine for local targets and in the same round trip elsewhere).
   */
  place?(pid: number): ToolPlace;
  /**
   * Optional: the backend to use for this target's processes, given the one the caller chose.
   * Containers return one that reads stacks from the host, inside the container or from a sidecar.
   */
  backendFor?(backend: Backend): Backend;
  /** Optional: path rules for this target's frames (dumpProcess passes them to the SourceMapper). */
  sourceMapping?(signal?: AbortSignal): Promise<TargetSourceMapping>;
  /** Optional: the py-spy to run through `runner` (remote hosts find or copy one); absent: this machine's. */
  locatePySpy?(signal?: AbortSignal): Promise<string>;
  /** Optional: a source file on the target, for frames that have no local copy (ssh hosts). */
  readFile?(path: string, signal?: AbortSignal): Promise<string>;
}
