// A thread that cannot run because another holds the GIL: its blocking call (a sleep, a read, a
// lock) ended long ago, but to return to Python it must take the GIL back, and the holder runs one
// long C call (a regular expression, a huge sort, an extension) that never releases it. With native
// frames the starved thread waits in take_gil (often inlined: a condition wait right under the C
// call that released the GIL); the holder is the thread py-spy marks as owning the GIL. One look
// also catches threads that merely share the GIL (it moves every 5 ms between busy threads): on a
// live process of this machine the kernel is watched a moment before a thread is said to starve.
import { setTimeout as delay } from 'node:timers/promises';
import type { Finding, ThreadStack } from '../model';
import { anchorFrame, findingFrame, nativeInner, where } from './frames';
import type { ProcessView } from './processView';
import type { DumpRule, DumpRuleResult } from './rule';
import { who } from './threadLabel';

const TAKE_GIL = /^(take_gil|PyEval_RestoreThread|PyEval_AcquireThread|_PyEval_AcquireLock|PyEval_AcquireLock|_PyThreadState_Attach|PyGILState_Ensure)$/;
const COND_WAIT =
  /^(pthread_cond_timedwait|pthread_cond_clockwait|__pthread_cond_timedwait|__pthread_cond_wait_common|pthread_cond_wait|__futex_abstimed_wait_common|___pthread_cond_timedwait64)$/;
/** C calls that wait with a condition variable of their own: a condition wait under them is no GIL wait. */
const OWN_COND =
  /^(PyThread_acquire_lock_timed|PyCOND_TIMEDWAIT|acquire_timed|lock_PyThread_acquire_lock|rlock_acquire|_PyMutex_LockTimed|_PySemaphore_Wait|_PyParkingLot_Park)$/;

export const GIL_KIND = 'gil-wait';

/** Does the thread wait for the GIL, by its native frames? */
export function waitsForGil(t: ThreadStack): boolean {
  const natives = nativeInner(t);
  if (natives.some((f) => TAKE_GIL.test(f.function))) return true;
  // take_gil inlined into the call that dropped the GIL: a condition wait right under a libpython function.
  const i = natives.findIndex((f) => COND_WAIT.test(f.function));
  if (i < 0) return false;
  const caller = natives.slice(i + 1).find((f) => !COND_WAIT.test(f.function) && !/^0x/.test(f.function));
  return !!caller && /libpython|python\d/.test(caller.module ?? caller.file) && !OWN_COND.test(caller.function);
}

/** Waits that sleep in the kernel: a thread in one of them is idle, never running. */
const ASLEEP_WHEN_WAITING = new Set(['sleep', 'lock-wait', 'signal-wait']);

/**
 * Without native frames: a thread the OS shows running, without the GIL, on a line whose call
 * would be asleep while it waits (a sleep, a lock, a queue) — while another thread runs holding the
 * GIL. The call has returned, and the thread spins to take the GIL back (take_gil). Or one on a
 * line of plain Python (it waits in no call) that the kernel shows asleep on a futex: take_gil's.
 */
export function starvedWithoutNatives(
  t: ThreadStack,
  waitKind: string | undefined,
  holder: ThreadStack | undefined,
  process?: Pick<ProcessView, 'blockedCall'>,
): boolean {
  if (!holder || holder === t || t.ownsGil || nativeInner(t).length > 0) return false;
  const call = t.nativeId !== undefined ? process?.blockedCall?.(t.nativeId) : undefined;
  // On a line of plain Python (no call that waits), asleep on a futex: nothing there sleeps but take_gil.
  if (waitKind === undefined) return call === 'futex';
  if (!ASLEEP_WHEN_WAITING.has(waitKind)) return false;
  if (t.active) return true;
  // Idle at this look, but the kernel says it sleeps on a futex, not in the sleep its line makes:
  // the sleep is over and the thread waits for the GIL (take_gil's condition wait).
  return waitKind === 'sleep' && call === 'futex';
}

/** The thread running with the GIL, when the reader says (py-spy's owns_gil). */
export function gilHolder(threads: readonly ThreadStack[]): ThreadStack | undefined {
  return threads.find((t) => t.ownsGil && t.active);
}

/** How long the GIL is watched: fifty of CPython's 5 ms switch intervals. */
const WATCH_MS = 250;
/** The looks at each starved thread's system call meanwhile. */
const LOOKS = 3;
/** Clock ticks (10 ms) a thread must use in the watch to count as running. */
const RAN_TICKS = 2;

/** Wake-ups a waiter must make in the watch: take_gil's wait times out every 5 ms (about 50 in 250 ms). */
const WOKE = 10;

/**
 * The starved threads that still starve after a short watch of the kernel: none when a thread
 * other than the holder ran meanwhile (the GIL moves: threads share it, nobody starves) or the
 * holder did not; of the rest, those that only ever sleep on a futex (take_gil), never in their
 * own sleep or poll, and that wake every few milliseconds as take_gil's timed wait does (a lock
 * of a C library's own sleeps through). Unchanged where the kernel cannot be read (a core, another machine).
 */
async function stillStarved(
  starved: ThreadStack[],
  holder: ThreadStack,
  process?: Pick<ProcessView, 'blockedCall' | 'threadCpu' | 'threadWakeups'>,
): Promise<ThreadStack[]> {
  const cpu = process?.threadCpu;
  const call = process?.blockedCall;
  if (!cpu || !call || holder.nativeId === undefined) return starved;
  const before = cpu();
  if (!before.has(holder.nativeId)) return starved;
  const wokeBefore = process.threadWakeups?.();
  const seen = new Map<ThreadStack, Set<string>>(starved.map((t) => [t, new Set()]));
  for (let i = 0; i < LOOKS; i++) {
    if (i) await delay(WATCH_MS / (LOOKS - 1));
    for (const t of starved) if (t.nativeId !== undefined) seen.get(t)!.add(call(t.nativeId) ?? 'running');
  }
  const after = cpu();
  const wokeAfter = process.threadWakeups?.();
  const ran = (tid: number) => (after.get(tid) ?? 0) - (before.get(tid) ?? Infinity) >= RAN_TICKS;
  if (!ran(holder.nativeId) || [...after.keys()].some((tid) => tid !== holder.nativeId && ran(tid))) return [];
  const woke = (tid: number) => {
    const was = wokeBefore?.get(tid);
    const now = wokeAfter?.get(tid);
    return was === undefined || now === undefined || now - was >= WOKE;
  };
  return starved.filter((t) => {
    if (t.nativeId === undefined) return true;
    const calls = seen.get(t)!;
    return calls.has('futex') && [...calls].every((c) => c === 'futex' || c === 'running') && woke(t.nativeId);
  });
}

export const gilWait: DumpRule = async (stacks, waits, ctx): Promise<DumpRuleResult> => {
  const holder = gilHolder(stacks.threads);
  if (!holder) return { findings: [], explained: [] };
  const candidates = stacks.threads.filter((t) => t !== holder && (waitsForGil(t) || starvedWithoutNatives(t, waits.get(t)?.kind, holder, ctx.process)));
  const starved = candidates.length ? await stillStarved(candidates, holder, ctx.process) : [];
  if (starved.length === 0) return { findings: [], explained: [] };
  const at = anchorFrame(holder);
  const cCall = nativeInner(holder).find((f) => !/^0x/.test(f.function));
  const findings: Finding[] = starved.map((t) => {
    const was = waits.get(t);
    return {
      severity: 'warning',
      kind: GIL_KIND,
      title: `${who(t)} waits for the GIL at ${where(anchorFrame(t))}, held by ${who(holder)} at ${where(at)}`,
      detail: `${was || waitsForGil(t) ? `${who(t)}'s own call${was ? ` (${was.call})` : ''} has returned, but to run its next line it must take the GIL back` : `${who(t)} runs plain Python, but the interpreter took the GIL from it to let others run, and it must take it back to go on`}, and ${who(holder)} holds it${cCall ? ` in a long C call (${cCall.function})` : ''} at ${where(at)}. A C call that never releases the GIL starves every other thread, however short their waits. Fix: break ${who(holder)}'s work into smaller calls, use a C function that releases the GIL, or move it to a process (multiprocessing, ProcessPoolExecutor).`,
      threadId: t.id,
      frame: findingFrame(anchorFrame(t)),
    };
  });
  return { findings, explained: starved };
};
