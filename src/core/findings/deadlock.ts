// Who holds the lock a thread waits for, and deadlocks: threads waiting for locks held by each
// other (or by themselves). A dump cannot show lock owners, so ownership is read from the source:
// the `with X:` blocks each thread is inside.
import type { Finding, ThreadStack } from '../model';
import { anchorFrame, findingFrame, where } from './frames';
import { heldLocks, type HeldLock } from './lockWait';
import type { DumpRule, DumpRuleResult, ThreadWait } from './rule';

const ADVICE = 'Acquire locks in one fixed order everywhere, or use lock.acquire(timeout=…) to fail instead of hanging; a thread that re-enters its own lock needs threading.RLock.';

interface Waiter {
  thread: ThreadStack;
  wait: ThreadWait;
  lock?: string;
  /** Threads holding the lock this one waits for (possibly itself). */
  holders: ThreadStack[];
}

/** Waiters on a wait-for cycle: T waits for a lock U holds, ..., back to T. */
function onCycle(waiters: Waiter[]): Set<Waiter> {
  const byThread = new Map(waiters.map((w) => [w.thread, w]));
  const next = (w: Waiter) => w.holders.map((h) => byThread.get(h)).filter((x): x is Waiter => !!x);
  const result = new Set<Waiter>();
  for (const start of waiters) {
    const seen = new Set<Waiter>();
    const stack = next(start);
    while (stack.length) {
      const w = stack.pop()!;
      if (w === start) {
        result.add(start);
        break;
      }
      if (seen.has(w)) continue;
      seen.add(w);
      stack.push(...next(w));
    }
  }
  return result;
}

export const deadlock: DumpRule = async (dump, waits, ctx): Promise<DumpRuleResult> => {
  const lockWaits = dump.threads.filter((t) => waits.get(t)?.kind === 'lock-wait');
  if (lockWaits.length === 0) return { findings: [], explained: [] };
  const held = new Map<ThreadStack, HeldLock[]>();
  for (const t of dump.threads) held.set(t, await heldLocks(t, ctx.source));
  const holding = (t: ThreadStack, lock: string) => held.get(t)!.find((h) => h.name === lock);
  const heldText = (t: ThreadStack) => held.get(t)!.map((h) => `${h.name} (line ${h.line})`).join(', ') || 'no lock visible in its code';

  const waiters: Waiter[] = lockWaits.map((t) => {
    const wait = waits.get(t)!;
    return { thread: t, wait, lock: wait.lock, holders: wait.lock ? dump.threads.filter((o) => holding(o, wait.lock!)) : [] };
  });
  const cycle = onCycle(waiters);
  const findings: Finding[] = [];
  const explained: ThreadStack[] = [];

  const chain = [...cycle].map((o) => `${o.thread.name} holds ${heldText(o.thread)} and waits for ${o.lock} at ${where(o.wait.frame)}`).join('; ');
  for (const w of cycle) {
    const others = w.holders.filter((h) => h !== w.thread);
    const title = others.length === 0
      ? `${w.thread.name} waits for ${w.lock} at ${where(w.wait.frame)}, which it already holds: a deadlock`
      : `${w.thread.name} waits for ${w.lock} at ${where(w.wait.frame)}, held by ${others.map((o) => o.name).join(', ')}: a deadlock`;
    findings.push({ severity: 'error', kind: 'deadlock', title, detail: `${chain}. None of them can continue. ${ADVICE}`, threadId: w.thread.id, frame: findingFrame(w.wait.frame) });
    explained.push(w.thread);
  }

  // Not a cycle, but the holder is known: name it, and where it is now.
  for (const w of waiters) {
    if (cycle.has(w) || !w.lock || w.holders.length === 0) continue;
    const h = w.holders[0]!;
    const entered = holding(h, w.lock)!;
    const hWait = waits.get(h);
    findings.push({
      severity: 'warning',
      kind: 'lock-wait',
      title: `${w.thread.name} waits to acquire ${w.lock} at ${where(w.wait.frame)}, which ${h.name} holds at ${where(anchorFrame(h))}`,
      detail: `${h.name} entered \`with ${w.lock}:\` at line ${entered.line} (in ${entered.frame.function}) and ${hWait ? hWait.phrase : 'has not left that block'}${hWait?.frame ? ` at ${where(hWait.frame)}` : ''}. Until it leaves the block, ${w.thread.name} waits; lock.acquire(timeout=…) fails instead of hanging.`,
      threadId: w.thread.id,
      frame: findingFrame(w.wait.frame),
    });
    explained.push(w.thread);
  }

  const unexplained = waiters.filter((w) => !cycle.has(w) && w.holders.length === 0);
  if (cycle.size === 0 && unexplained.length >= 2) {
    const [first, ...rest] = unexplained;
    findings.push({
      severity: 'warning',
      kind: 'deadlock',
      title: `${first!.thread.name} waits for ${first!.lock ?? 'a lock'} at ${where(first!.wait.frame)} while ${rest.map((w) => w.thread.name).join(', ')} also wait${rest.length === 1 ? 's' : ''} for locks: a possible deadlock`,
      detail: `${unexplained.map((w) => `${w.thread.name} waits at ${where(w.wait.frame)}`).join('; ')}. Which thread holds which lock is not visible in the code around these lines; if no running thread releases them, they wait forever. ${ADVICE}`,
      threadId: first!.thread.id,
      frame: findingFrame(first!.wait.frame),
    });
  }
  return { findings, explained };
};
