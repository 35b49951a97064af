// What a sampled thread that keeps one stack waits in, said by the dumps' own finding rules, so the
// Sampling view can tell a hang ("waits in a socket read with no timeout") from a helper thread
// parked between jobs (a sleep, an Event, a queue), which is idle rather than stuck.
import type { DiagnoseContext } from '../findings/rule';
import { threadRules } from '../findings/ruleOrder';
import type { SourceLines } from '../findings/sourceLines';
import { crossThreadFindings } from '../findings/diagnose';
import type { ProcessView } from '../findings/processView';
import { refineWait } from '../findings/refineWait';
import type { Finding, StackWait, ThreadStack } from '../model';

export type StackExplainer = (thread: ThreadStack) => Promise<StackWait | undefined>;
/** What the rules looking across threads say about these threads' stacks, taken together. */
export type ThreadsExplainer = (threads: ThreadStack[]) => Promise<Finding[]>;

/** Waits a helper thread parks in; the main thread waiting there is a hang all the same. */
const PARKING = new Set(['sleep', 'signal-wait', 'accept-wait', 'server-idle', 'select-wait', 'signal-pause', 'helper-idle']);

/** An explainer reading source lines through `source` (one cache per sampling session). */
export function stackWaitExplainer(source: SourceLines, process?: ProcessView): StackExplainer {
  const ctx: DiagnoseContext = { source, ...(process ? { process } : {}) };
  // The dumps' rules in their order; a worker's signal wait is recognised (it is parked, below).
  const rules = threadRules([], { workerSignals: true });
  return async (thread) => {
    for (const rule of rules) {
      const found = await rule(thread, ctx);
      if (!found) continue;
      // A socket wait names its peer (the process's sockets, read once per still stack).
      const w = await refineWait(thread, found, ctx);
      const wait: StackWait = { kind: w.kind, severity: w.severity, phrase: w.phrase };
      if (PARKING.has(w.kind) && thread.name !== 'MainThread') wait.parked = true;
      return wait;
    }
    return undefined;
  };
}

/** The cross-thread rules of dumps (deadlocks, a blocked event loop, …) over sampled stacks. */
export function threadsExplainer(source: SourceLines, process?: ProcessView): ThreadsExplainer {
  return (threads) => crossThreadFindings({ threads }, source, process ? { process } : {});
}
