// A thread in time.sleep: harmless once, but a thread found sleeping again and again is a polling
// loop waiting for something that does not happen.
import type { ThreadStack } from '../model';
import { anchorFrame, callSite, nativeInner } from './frames';
import type { DiagnoseContext, ThreadRule, ThreadWait } from './rule';

const NATIVE_SLEEP = /^(time_sleep|pysleep|clock_nanosleep|__clock_nanosleep|nanosleep|__nanosleep)$/;
const TIME_SLEEP = /^(time_sleep|pysleep)$/;

/** Is the thread in time.sleep by its native frames? Before 3.11 time.sleep waits in select() (no fd), which is still a sleep. */
export function inTimeSleep(t: ThreadStack): boolean {
  return nativeInner(t).some((f) => TIME_SLEEP.test(f.function));
}
/** `time.sleep(…)` or a bare `sleep(…)` imported from time; not `await asyncio.sleep(…)`. */
const SLEEP_CALL = /(^|[^\w.]|\btime\.)sleep\s*\(/;

export const sleepWait: ThreadRule = async (t: ThreadStack, ctx: DiagnoseContext): Promise<ThreadWait | undefined> => {
  const natives = nativeInner(t);
  let sleeping = natives.some((f) => NATIVE_SLEEP.test(f.function)) || inTimeSleep(t);
  if (!sleeping && natives.length === 0) {
    const caller = callSite(t);
    const line = caller ? await ctx.source.line(caller) : undefined;
    sleeping = !!line && SLEEP_CALL.test(line) && !/\bawait\b|asyncio\.sleep/.test(line);
  }
  if (!sleeping) return undefined;
  // libc's sleep() or nanosleep() called from C (ctypes, an extension) is no time.sleep.
  const cSleep = natives.length > 0 && !inTimeSleep(t) ? natives.find((f) => NATIVE_SLEEP.test(f.function)) : undefined;
  return {
    kind: 'sleep',
    severity: 'info',
    phrase: cSleep ? `sleeps in a C call (${cSleep.function})` : 'sleeps in time.sleep',
    call: cSleep ? cSleep.function : 'time.sleep',
    detail:
      'A sleep in a loop polls for something; if the thread is found here again and again, what it waits for does not happen. Sampling (several dumps) tells a polling loop from one long sleep.',
    frame: anchorFrame(t),
  };
};
