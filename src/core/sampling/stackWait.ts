// What a sampled thread that keeps one stack waits in, said by the dumps' own finding rules, so the
// Sampling view can tell a hang ("waits in a socket read with no timeout") from a helper thread
// parked between jobs (a sleep, an Event, a queue), which is idle rather than stuck.
import { joinWaitIn } from '../findings/joinWait';
import { ioWait } from '../findings/ioWait';
import { lockWait } from '../findings/lockWait';
import type { DiagnoseContext, ThreadRule } from '../findings/rule';
import { signalWait } from '../findings/signalWait';
import { sleepWait } from '../findings/sleepWait';
import { socketWait } from '../findings/socketWait';
import { stdinWait } from '../findings/stdinWait';
import type { SourceLines } from '../findings/sourceLines';
import { crossThreadFindings } from '../findings/diagnose';
import type { Finding, StackWait, ThreadStack } from '../model';

export type StackExplainer = (thread: ThreadStack) => Promise<StackWait | undefined>;
/** What the rules looking across threads say about these threads' stacks, taken together. */
export type ThreadsExplainer = (threads: ThreadStack[]) => Promise<Finding[]>;

/** Waits a helper thread parks in; the main thread waiting there is a hang all the same. */
const PARKING = new Set(['sleep', 'signal-wait', 'accept-wait', 'server-idle', 'select-wait', 'signal-pause']);

/** An explainer reading source lines through `source` (one cache per sampling session). */
export function stackWaitExplainer(source: SourceLines): StackExplainer {
  const ctx: DiagnoseContext = { source };
  // Joins before signals (Future.result waits in a Condition), signals before locks.
  const rules: ThreadRule[] = [joinWaitIn([]), signalWait, stdinWait, socketWait, ioWait, lockWait, sleepWait];
  return async (thread) => {
    for (const rule of rules) {
      const w = await rule(thread, ctx);
      if (!w) continue;
      const wait: StackWait = { kind: w.kind, severity: w.severity, phrase: w.phrase };
      if (PARKING.has(w.kind) && thread.name !== 'MainThread') wait.parked = true;
      return wait;
    }
    return undefined;
  };
}

/** The cross-thread rules of dumps (deadlocks, a blocked event loop, …) over sampled stacks. */
export function threadsExplainer(source: SourceLines): ThreadsExplainer {
  return (threads) => crossThreadFindings({ pid: 0, backend: 'py-spy', takenAt: new Date(0).toISOString(), durationMs: 0, threads, findings: [] }, source);
}
