// Who holds the lock a thread waits for, and deadlocks: threads waiting for locks held by each
// other (or by themselves). A dump cannot show lock owners, so ownership is read from the source:
// the `with X:` blocks each thread is inside and the `X.acquire()` calls on its way to its line
// (lockWait.heldLocks); py-spy's locals tell which object a name is (lockIdentity). Many threads
// waiting in one place for one lock are one finding (groups.ts).
import { someNames } from '../stacks/threadGroups';
import type { Finding, ThreadStack } from '../model';
import { anchorFrame, callSite, clipName, findingFrame, where } from './frames';
import { clusters, groupIds, groupNames, groupTitle, plural } from './groups';
import { hasLocals, withLocalsFrom } from './localsOf';
import { indexedContainer, lockAddress, lockKey, resolvedExpr, sameLock, unresolvedIndex, type LockRef } from './lockIdentity';
import { heldLocks, type HeldLock } from './lockWait';
import type { DumpRule, DumpRuleResult, ThreadWait } from './rule';
import { who } from './threadLabel';

const ADVICE =
  'Acquire locks in one fixed order everywhere, or use lock.acquire(timeout=…) to fail instead of hanging; a thread that re-enters its own lock needs threading.RLock.';

interface Waiter {
  thread: ThreadStack;
  wait: ThreadWait;
  lock?: string;
  /** The lock and the frame whose line names it (its locals may show which object it is). */
  ref?: LockRef;
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

/** The `with` block or acquire() call of `t` that holds the lock `w` waits for, if any. */
type Holding = (t: ThreadStack, w: Waiter) => HeldLock | undefined;

/** A cycle's chain for the detail: every thread on it, up to a bound (a cycle can be long). */
const CHAIN_MAX = 10;

export const deadlock: DumpRule = async (dump, waits, ctx): Promise<DumpRuleResult> => {
  const lockWaits = dump.threads.filter((t) => waits.get(t)?.kind === 'lock-wait');
  if (lockWaits.length === 0) return { findings: [], explained: [] };
  // A lock taken by an index (`accounts[dst]`) is told by the index's value: the locals, the dump's or a second read's.
  let withLocals: readonly ThreadStack[] = dump.threads;
  const indexed = lockWaits.some((t) => {
    const lock = waits.get(t)!.lock;
    return !!lock && unresolvedIndex({ expr: lock, frame: callSite(t) });
  });
  if (indexed && !hasLocals(dump.threads)) {
    const read = await ctx.process?.locals().catch(() => undefined);
    if (read) withLocals = withLocalsFrom(dump.threads, read);
  }
  const full = new Map(dump.threads.map((t, i) => [t, withLocals[i] ?? t]));
  const held = new Map<ThreadStack, HeldLock[]>();
  for (const t of dump.threads) held.set(t, await heldLocks(full.get(t)!, ctx.source));
  const holding: Holding = (t, w) => (w.lock ? held.get(t)!.find((h) => sameLock({ expr: h.name, frame: h.frame }, w.ref!)) : undefined);
  const heldText = (t: ThreadStack) =>
    held
      .get(t)!
      .map((h) => `${named({ expr: h.name, frame: h.frame })} (line ${h.line})`)
      .join(', ') || 'no lock visible in its code';

  // Which threads hold a lock depends only on its name and address: hundreds of threads waiting
  // for one lock look for its holders once.
  const holdersOf = new Map<string, ThreadStack[]>();
  const waiters: Waiter[] = lockWaits.map((t) => {
    const wait = waits.get(t)!;
    const w: Waiter = { thread: t, wait, lock: wait.lock, ref: wait.lock ? { expr: wait.lock, frame: callSite(full.get(t)!) } : undefined, holders: [] };
    if (w.lock) {
      const key = `${resolvedExpr(w.ref!)}\0${lockAddress(w.ref!) ?? ''}`;
      let holders = holdersOf.get(key);
      if (!holders) holdersOf.set(key, (holders = dump.threads.filter((o) => holding(o, w))));
      w.holders = holders;
    }
    return w;
  });
  const cycle = onCycle(waiters);
  const findings: Finding[] = [];
  const explained: ThreadStack[] = [];

  const links = [...cycle].map((o) => `${who(o.thread)} holds ${heldText(o.thread)} and waits for ${o.ref ? named(o.ref) : o.lock} at ${where(o.wait.frame)}`);
  const chain = links.slice(0, CHAIN_MAX).join('; ') + (links.length > CHAIN_MAX ? `; and ${links.length - CHAIN_MAX} more threads` : '');
  for (const w of cycle) {
    const others = w.holders.filter((h) => h !== w.thread);
    const title =
      others.length === 0
        ? `${who(w.thread)} waits for ${w.lock} at ${where(w.wait.frame)}, which it already holds: a deadlock`
        : `${who(w.thread)} waits for ${w.lock} at ${where(w.wait.frame)}, held by ${someNames(others.map(who))}: a deadlock`;
    findings.push({
      severity: 'error',
      kind: 'deadlock',
      title,
      detail: `${chain}. None of them can continue. ${ADVICE}`,
      threadId: w.thread.id,
      frame: findingFrame(w.wait.frame),
    });
    explained.push(w.thread);
  }

  // Not a cycle, but the holder is known: name it, and where it is now. Threads waiting in one
  // place for the lock one thread holds are one finding.
  const known = waiters.filter((w) => !cycle.has(w) && w.lock && w.holders.length > 0);
  for (const group of clusters(
    dump.threads,
    known,
    (w) => w.thread,
    (w) => `${lockKey(w.ref!)}\0${w.holders[0]!.id}`,
  )) {
    findings.push(heldByFinding(group, holding, waits));
    explained.push(...group.map((w) => w.thread));
  }

  // Nobody visibly holds it. Many threads waiting for one lock: one finding that says so (their
  // own findings would be hundreds alike); no holder is named, as none can be seen.
  const unexplained = waiters.filter((w) => !cycle.has(w) && w.holders.length === 0);
  for (const group of clusters(
    dump.threads,
    unexplained,
    (w) => w.thread,
    (w) => (w.ref ? lockKey(w.ref) : `thread:${w.thread.id}`),
  )) {
    if (group.length === 1) continue;
    findings.push(unheldFinding(group, sameContainer(group[0]!)));
    explained.push(...group.map((w) => w.thread));
  }

  // Threads waiting for two or more different locks that nobody visibly holds may hold them from
  // each other; threads all waiting for one lock do not deadlock among themselves.
  // A wait whose lock has no name (native frames only, a bare acquire in C) may be for the same
  // lock as another, or not for a lock at all (a Queue, an Event): it is no second lock.
  const locks = new Set(unexplained.filter((w) => w.ref).map((w) => lockKey(w.ref!)));
  // Threads that each hold a lock of a container (`accounts[src]`) and wait for another of it by an
  // index the stacks cannot read (`accounts[dst]`) may be waiting for each other's.
  const byIndex = unexplained.filter((w) => sameContainer(w).length > 0);
  if (cycle.size === 0 && unexplained.length >= 2 && (locks.size >= 2 || byIndex.length >= 2)) {
    const [first, ...rest] = unexplained;
    const places = unexplained.map((w) => `${who(w.thread)} waits at ${where(w.wait.frame)}`);
    findings.push({
      severity: 'warning',
      kind: 'deadlock',
      title: `${who(first!.thread)} waits for ${first!.lock ?? 'a lock'} at ${where(first!.wait.frame)} while ${someNames(rest.map((w) => who(w.thread)))} also wait${rest.length === 1 ? 's' : ''} for locks: a possible deadlock`,
      detail: `${places.slice(0, CHAIN_MAX).join('; ')}${places.length > CHAIN_MAX ? `; and ${places.length - CHAIN_MAX} more` : ''}. ${
        byIndex.length >= 2
          ? `Each holds a lock of ${indexedContainer(byIndex[0]!.lock!)} and waits for another by an index the stacks do not show (${byIndex
              .slice(0, 3)
              .map((w) => `${who(w.thread)} holds ${heldText(w.thread)}`)
              .join('; ')}): when the keys cross, each waits for a lock another holds. \`snag dump --locals\` reads the keys.`
          : 'Which thread holds which lock is not visible in the code around these lines; if no running thread releases them, they wait forever.'
      } ${ADVICE}`,
      threadId: first!.thread.id,
      frame: findingFrame(first!.wait.frame),
    });
  }
  return { findings, explained };

  /** The lock as the source names it, with its index's value where the locals show it: `accounts[dst] (accounts['store'])`. */
  function named(ref: LockRef): string {
    const r = resolvedExpr(ref);
    return r === ref.expr ? ref.expr : `${ref.expr} (${r})`;
  }

  /**
   * For a waiter on a lock taken by an index no local resolved (`accounts[dst]`), the locks of the
   * same container other threads (or it) hold by another index expression (`accounts[src]`): each may be the one.
   */
  function sameContainer(w: Waiter): HeldLock[] {
    const container = w.lock ? indexedContainer(w.lock) : undefined;
    if (!container || !w.ref || !unresolvedIndex(w.ref)) return [];
    return dump.threads.flatMap((o) => held.get(o)!.filter((h) => h.name !== w.lock && indexedContainer(h.name) === container));
  }
};

/** Waiters (one, or a group in one place) for a lock whose holder the code shows. */
function heldByFinding(group: Waiter[], holding: Holding, waits: ReadonlyMap<ThreadStack, ThreadWait>): Finding {
  const w = group[0]!;
  const h = w.holders[0]!;
  const entered = holding(h, w)!;
  const hWait = waits.get(h);
  const took =
    entered.how === 'with'
      ? `entered \`with ${entered.name}:\` at line ${entered.line} (in ${entered.frame.function}) and`
      : `called ${entered.name}.acquire() at line ${entered.line} (in ${entered.frame.function}), has not called ${entered.name}.release() since, and`;
  const holderNow = `${who(h)} ${took} ${hWait ? hWait.phrase : entered.how === 'with' ? 'has not left that block' : 'runs'}${hWait?.frame ? ` at ${where(hWait.frame)}` : ` at ${where(anchorFrame(h))}`}.`;
  const base = { severity: 'warning' as const, kind: 'lock-wait', frame: findingFrame(w.wait.frame), ...groupIds(group.map((x) => x.thread)) };
  if (group.length === 1) {
    return {
      ...base,
      title: `${who(w.thread)} waits to acquire ${w.lock} at ${where(w.wait.frame)}, which ${who(h)} holds at ${where(anchorFrame(h))}`,
      detail: `${holderNow} Until it releases it, ${who(w.thread)} waits; lock.acquire(timeout=…) fails instead of hanging.`,
    };
  }
  return {
    ...base,
    title: groupTitle(
      group.map((x) => x.thread),
      `wait to acquire ${clipName(w.lock!)} at ${where(w.wait.frame)}, held by ${clipName(h.name)}`,
    ),
    detail: `${holderNow} Until it releases it, all of them wait; lock.acquire(timeout=…) fails instead of hanging. ${groupNames(group.map((x) => x.thread))}`,
  };
}

/** A group waiting in one place for a lock no thread visibly holds; `alike`: locks of the same container held by another index. */
function unheldFinding(group: Waiter[], alike: readonly HeldLock[]): Finding {
  const w = group[0]!;
  const lock = w.lock ? clipName(w.lock) : undefined;
  const container = w.lock ? indexedContainer(w.lock) : undefined;
  const why =
    alike.length > 0 && container
      ? `Which thread holds ${lock} is not visible without its index: ${lock} is a lock of ${clipName(container)} chosen by a key the stacks do not show, so its holder may be a thread inside \`with ${clipName(alike[0]!.name)}:\` (line ${alike[0]!.line}), which is the same lock when the keys are equal. \`snag dump --locals\` reads the keys and tells.`
      : `Which thread holds ${lock ?? 'the lock'} is not visible: no thread in this dump runs inside a \`with ${lock ?? '…'}:\` block, so it was taken another way (${lock ?? 'lock'}.acquire() without a release) or its holder is not among these stacks.`;
  return {
    severity: 'warning',
    kind: 'lock-wait',
    title: groupTitle(
      group.map((x) => x.thread),
      `${plural(w.wait.phrase)} at ${where(w.wait.frame)}`,
    ),
    detail: `${why} lock.acquire(timeout=…) fails instead of hanging. ${groupNames(group.map((x) => x.thread))}`,
    frame: findingFrame(w.wait.frame),
    ...groupIds(group.map((x) => x.thread)),
  };
}
