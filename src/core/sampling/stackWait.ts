// What a sampled thread that keeps one stack waits in, said by the dumps' own finding rules, so the
// Sampling view can tell a hang ("waits in a socket read with no timeout") from a helper thread
// parked between jobs (a sleep, an Event, a queue), which is idle rather than stuck.
import type { DiagnoseContext } from '../findings/rule';
import { threadRules } from '../findings/ruleOrder';
import type { SourceLines } from '../findings/sourceLines';
import { crossThreadFindings } from '../findings/diagnose';
import type { ProcessView } from '../findings/processView';
import { refineWait } from '../findings/refineWait';
import { signalHandlerOf } from '../findings/signalHandlers';
import type { Finding, StackWait, ThreadStack } from '../model';

export type StackExplainer = (thread: ThreadStack) => Promise<StackWait | undefined>;
/** What the rules looking across threads say about these threads' stacks, taken together. */
export type ThreadsExplainer = (threads: ThreadStack[]) => Promise<Finding[]>;

/** Waits a helper thread parks in; the main thread waiting there is a hang unless it rests by design (mainAtRest). */
const PARKING = new Set(['sleep', 'signal-wait', 'accept-wait', 'server-idle', 'select-wait', 'signal-pause', 'helper-idle']);

/** Waits a main thread rests in by design: a server waiting for clients, a program waiting for a signal. */
const MAIN_RESTS = new Set(['server-idle', 'accept-wait', 'signal-pause']);

/**
 * The main thread at rest rather than stuck: serving (a server's loop, accept(); an idle event loop
 * of a process listening on a port), or waiting for an Event, a Condition or a queue its own signal
 * handler can end (a service waiting for SIGTERM).
 */
async function mainAtRest(thread: ThreadStack, kind: string, ctx: DiagnoseContext): Promise<boolean> {
  if (MAIN_RESTS.has(kind)) return true;
  if (kind === 'signal-wait') return (await signalHandlerOf(thread, ctx.source)) !== undefined;
  if (kind === 'asyncio-idle') return !!(await ctx.process?.sockets().catch(() => undefined))?.some((s) => s.state === 'listen');
  return false;
}

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
      // A poll loop waits for its condition (stuck), unless that is a stop flag (at rest until shutdown).
      const parked = w.poll ? w.poll.stopFlag : thread.name !== 'MainThread' ? PARKING.has(w.kind) : await mainAtRest(thread, w.kind, ctx);
      if (parked) wait.parked = true;
      return wait;
    }
    return undefined;
  };
}

/** The cross-thread rules of dumps (deadlocks, a blocked event loop, …) over sampled stacks. */
export function threadsExplainer(source: SourceLines, process?: ProcessView): ThreadsExplainer {
  return (threads) => crossThreadFindings({ threads }, source, process ? { process } : {});
}
