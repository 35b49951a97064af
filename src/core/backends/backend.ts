// A backend reads a process's stacks into a StackDump. Where it runs is the target's business.
import type { BackendId, DumpOptions, StackDump } from '../model';
import type { Target } from '../targets/target';

export interface DumpRequest extends DumpOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Threads the process listing counted (slow readers scale their time limit with it). */
  threads?: number;
}

export interface Backend {
  readonly id: BackendId;
  dump(target: Target, pid: number, req: DumpRequest): Promise<StackDump>;
}
