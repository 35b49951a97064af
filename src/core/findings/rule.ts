// The two shapes of finding rules. A thread rule recognises what one thread waits in; a dump rule
// looks across threads (deadlocks, a blocked event loop, a finalizer) and may explain threads,
// whose own thread-rule finding is then left out as redundant.
import type { Finding, Frame, Severity, StackDump, ThreadStack } from '../model';
import type { SourceLines } from './sourceLines';

export interface DiagnoseContext {
  source: SourceLines;
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
}

export type ThreadRule = (thread: ThreadStack, ctx: DiagnoseContext) => Promise<ThreadWait | undefined>;

export interface DumpRuleResult {
  findings: Finding[];
  /** Threads these findings explain. */
  explained: ThreadStack[];
}

export type DumpRule = (dump: StackDump, waits: ReadonlyMap<ThreadStack, ThreadWait>, ctx: DiagnoseContext) => Promise<DumpRuleResult>;
