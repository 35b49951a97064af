// A backend reads a process's stacks into a StackDump. Where it runs is the target's business.
import type { BackendId, DumpOptions, StackDump } from '../model';
import type { Target } from '../targets/target';
import type { GuardedOperation } from '../guard/guardNotes';

export interface DumpRequest extends DumpOptions {
  /** What the dump is part of, for what the guard tells the user (default: a dump of its own). */
  operation?: GuardedOperation;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Threads the process listing counted (slow readers scale their time limit with it). */
  threads?: number;
}

export interface Backend {
  readonly id: BackendId;
  dump(target: Target, pid: number, req: DumpRequest): Promise<StackDump>;
}
