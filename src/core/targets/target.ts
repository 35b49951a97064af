// A target is where processes live. It lists them and runs argv "there": a runner only rewrites
// the argv so it reaches the process's namespace (local: as is; docker: `docker exec <id> …`;
// ssh: `ssh host -- <quoted argv>`), so targets compose (containers on an ssh host).
import type { PathMapping, ProcessInfo, TargetRef, ThreadStack } from '../model';
import type { SnagError, SnagErrorReason } from '../errors';
import type { TaskState } from '../proc/tasks';
import type { Runner } from '../runner';
import type { ToolPlace } from '../guard/toolPlace';
import type { FactKind, ProcessFacts } from '../proc/processFacts';
import type { CoreSite } from './coreSite';

export interface ListOptions {
  signal?: AbortSignal;
  /** Include processes that are not Python. */
  all?: boolean;
}

/** What a caller brings when it asks a target about one of its processes. */
export interface ProcessQuery {
  /** What a listing of the target knew of the process already (saves a look). */
  process?: ProcessInfo;
  signal?: AbortSignal;
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
  /**
   * Optional: the ssh host it is reached through (an ssh host itself; a container on one, through its
   * engine's parent), for what only ssh offers: a terminal there, copying py-spy there. Absent: none.
   */
  readonly sshHost?: string;
  listProcesses(opts?: ListOptions): Promise<ProcessInfo[]>;
  /**
   * Optional: where a tool reading process `pid` runs and how the guard watches it (default: through
   * `runner`, watched on this machine for local targets and in the same round trip elsewhere).
   */
  place?(pid: number, signal?: AbortSignal): Promise<ToolPlace>;
  /**
   * Optional: several ways a tool can reach the process (containers: host PID, exec, copy-in,
   * sidecar), for readers to try in order. Absent: the one place of place().
   */
  waysIn?(pid: number, req: WayRequest): Promise<WayPlan>;
  /** Optional: path rules for this target's frames (dumpProcess passes them to the SourceMapper). */
  sourceMapping?(signal?: AbortSignal): Promise<TargetSourceMapping>;
  /** Optional: the py-spy to run through `runner` (remote hosts find or copy one); absent: this machine's. */
  locatePySpy?(signal?: AbortSignal): Promise<string>;
  /** Optional: a source file on the target, for frames that have no local copy (ssh hosts). */
  readFile?(path: string, signal?: AbortSignal): Promise<string>;
  /**
   * Optional: the Python version of process `pid` as the target tells it (its executable, or the
   * libpython it maps), for a dump whose reader did not say; absent or undefined: unknown.
   */
  pythonVersion?(pid: number, ask?: ProcessQuery): Promise<string | undefined>;
  /** Optional: undoes what reading set up on the target (a py-spy copied to a host); never throws. */
  dispose?(): Promise<void>;
  /**
   * Optional: facts about process `pid` (working directory, children, TCP sockets) read the target's
   * own way; absent: the facts script through `runner` (targets/processFacts.ts). Undefined: unreadable.
   */
  processFacts?(pid: number, kinds: readonly FactKind[], signal?: AbortSignal): Promise<ProcessFacts | undefined>;
  /**
   * Optional: where a core of process `pid` is written (containers: on the engine's host by the host
   * PID, where it is visible); absent or undefined: through `runner` and `place()` (coreSite.ts).
   */
  coreSite?(pid: number, signal?: AbortSignal): Promise<CoreSite | undefined>;
}

/** What a reader brings when it asks a target for its ways in. */
export interface WayRequest {
  signal?: AbortSignal;
  /** The reader's tool binary on a target (Snag's own, for a way that copies or mounts it). */
  localTool(target: Target, signal?: AbortSignal): Promise<string>;
  /** The reader's own reading of its tool's failure (py-spy's stderr), which the target refines. */
  toolError(err: unknown, pid: number, where: string): unknown;
}

/** One way a tool reaches the process, once opened: where it runs, which binary, what to undo. */
export interface WayIn {
  place: ToolPlace;
  /** The tool's path at the place. */
  toolPath: string;
  /** More time than a plain run there (a sidecar starts a container first). */
  extraMs?: number;
  /** Fixes what the tool cannot see from there (a host-side read: which threads run). */
  refine?(threads: ThreadStack[], tasksBefore: readonly TaskState[] | undefined): void;
  /** Undoes what opening did (a copied tool); never throws: adds to the choice's notes instead. */
  close?(): Promise<void>;
  /** How it was read, for the dump's notes (asked after close). */
  describe?(): string[];
}

export interface WayChoice {
  /** Shown as the dump's method: `host`, `exec`, `copy`, `sidecar`. */
  id: string;
  label: string;
  /** What happened along this way (pipe writers, a resumed target, a copy left behind). */
  notes: string[];
  open(): Promise<WayIn>;
}

export interface WayPlan {
  ways: WayChoice[];
  /** Whether a failure another way might avoid moves on to the next (the user chose `auto`). */
  fallThrough: boolean;
  tryNextOn: ReadonlySet<SnagErrorReason>;
  /** The target's own explanation of a failure along a way (engine errors, capabilities, a vanished container). */
  explain(err: unknown, way: WayChoice): Promise<SnagError>;
  /** The error when every way failed: the most actionable one, with what was tried. */
  giveUp(tried: readonly { way: WayChoice; error: SnagError }[]): SnagError;
}
