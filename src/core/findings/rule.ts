// The two shapes of finding rules. A thread rule recognises what one thread waits in; a dump rule
// looks across threads (deadlocks, a blocked event loop, a finalizer) and may explain threads,
// whose own thread-rule finding is then left out as redundant.
import type { PollLoop } from './pollLoop';
import type { Finding, Frame, Severity, ThreadStack } from '../model';
import type { SourceLines } from './sourceLines';
import type { ProcessView } from './processView';

export interface DiagnoseContext {
  source: SourceLines;
  /** The live process behind the stacks (its sockets, its children), asked only when a rule needs it. */
  process?: ProcessView;
  /** Threads an earlier cross-thread rule already explained (a finalizer's lock wait is the finalizer's). */
  explained?: ReadonlySet<ThreadStack>;
}

/**
 * What the rules look at: threads' stacks, taken together. A dump is one; so are the sampled
 * threads whose stacks stood still (sampling passes `{ threads }`).
 */
export interface Stacks {
  threads: ThreadStack[];
}

/** What one thread waits in. */
export interface ThreadWait {
  kind: string;
  severity: Severity;
  /** Follows the thread's name in the title: "waits in a socket read with no timeout". */
  phrase: string;
  /** The blocking call in a few words, for rules that build on it: "time.sleep", "a socket read". */
  call: string;
  detail: string;
  /** Where the user's code makes the call (innermost user frame, else the innermost Python frame). */
  frame?: Frame;
  /** Lock waits: the lock as the source names it (`self._lock`), when known. */
  lock?: string;
  /** A thread at rest by design (a library's helper between jobs): recognised, but a dump makes no finding of it. */
  quiet?: boolean;
  /** The wait is a short one repeated by a loop that does nothing else (pollLoop.ts). */
  poll?: PollLoop;
}

export type ThreadRule = (thread: ThreadStack, ctx: DiagnoseContext) => Promise<ThreadWait | undefined>;

export interface DumpRuleResult {
  findings: Finding[];
  /** Threads these findings explain. */
  explained: ThreadStack[];
}

export type DumpRule = (stacks: Stacks, waits: ReadonlyMap<ThreadStack, ThreadWait>, ctx: DiagnoseContext) => Promise<DumpRuleResult>;
