// A backend reads a process's stacks into a StackDump. Where it runs is the target's business.
import type { BackendId, DumpOptions, DumpProgress, StackDump } from '../model';
import type { Target } from '../targets/target';
import type { GuardedOperation } from '../guard/guardNotes';

export interface DumpRequest extends DumpOptions {
  /** What the dump is part of, for what the guard tells the user (default: a dump of its own). */
  operation?: GuardedOperation;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Threads the process listing counted (slow readers scale their time limit with it). */
  threads?: number;
  /**
   * The finding rules may ask for the frames' locals: a reader that can read them in the same read
   * of a small process does (one pause instead of a second read); the pipeline drops them unless
   * `locals` was asked for.
   */
  localsForFindings?: boolean;
  /** Called once the reader's tool has started: what can go beside the read starts then, not before it. */
  onReading?: () => void;
  /** Told as a slow reader goes on (gdb on many threads); a quick dump may never call it. */
  onProgress?: (progress: DumpProgress) => void;
}

export interface Backend {
  readonly id: BackendId;
  dump(target: Target, pid: number, req: DumpRequest): Promise<StackDump>;
}
