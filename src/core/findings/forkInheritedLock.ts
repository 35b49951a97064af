// A lock that no thread of this process holds. After fork() a child has only the thread that
// forked, but a copy of every lock as it was: a lock another thread of the parent held at that
// moment (a logging handler's, a library's, the user's) stays locked forever in the child. And a
// multiprocessing lock (a semaphore shared between processes) is held by another process.
import type { Finding, Frame, ThreadStack } from '../model';
import { callSite, findingFrame, isFrame, nativeInner, where } from './frames';
import { sameLock } from './lockIdentity';
import { heldLocks } from './lockWait';
import type { DumpRule, DumpRuleResult } from './rule';
import type { SourceLines } from './sourceLines';
import { who } from './threadLabel';

const FORK_ADVICE =
  "Fork only before starting threads, or start processes with the spawn or forkserver method (multiprocessing.set_start_method('spawn'), or get_context('forkserver')); a library's own lock can be reset in the child with os.register_at_fork(after_in_child=…).";

/** Where the stack shows the process was forked: a multiprocessing fork child, or a user frame below os.fork(). */
async function forkedAt(t: ThreadStack, source: SourceLines): Promise<string | undefined> {
  if (t.frames.some((f) => isFrame(f, 'multiprocessing/popen_fork.py', 'Popen._launch')))
    return 'it is a multiprocessing child started by fork (Popen._launch in its stack)';
  for (const f of t.frames) {
    if (f.native || !f.isUserCode) continue;
    const lines = await source.lines(f);
    if (!lines) continue;
    for (let i = f.line - 2; i >= 0 && i >= f.line - 200; i--) {
      const l = lines[i]!;
      if (/\bos\.fork\s*\(\s*\)|(^|[^\w.])fork\s*\(\s*\)/.test(l)) return `${f.function} called os.fork() at line ${i + 1}`;
      if (/^\s*(async\s+)?def\s/.test(l)) break;
    }
  }
  return undefined;
}

/** Is the lock a multiprocessing one: its acquire in the native frames or the Python ones, or its name assigned from a multiprocessing Lock in the file? */
async function isProcessLock(t: ThreadStack, lock: string | undefined, source: SourceLines): Promise<boolean> {
  if (nativeInner(t).some((f) => /^_multiprocessing_SemLock_acquire/.test(f.function))) return true;
  if (t.frames.some((f) => isFrame(f, 'multiprocessing/synchronize.py', 'SemLock.__enter__', 'SemLock.acquire'))) return true;
  const caller = callSite(t);
  if (!lock || !caller) return false;
  const lines = await source.lines(caller);
  const name = lock.replace(/^self\./, '');
  const assigned = new RegExp(
    `(^|[^\\w])${name.replace(/[.[\]]/g, '\\$&')}\\s*=\\s*(multiprocessing|mp|ctx|\\w*context\\w*)\\.(R?Lock|Semaphore|BoundedSemaphore)\\s*\\(`,
  );
  return !!lines?.some((l) => assigned.test(l));
}

export const forkInheritedLock: DumpRule = async (stacks, waits, ctx): Promise<DumpRuleResult> => {
  const waiting = stacks.threads.filter((t) => waits.get(t)?.kind === 'lock-wait');
  if (waiting.length === 0) return { findings: [], explained: [] };
  const held = new Map<ThreadStack, Awaited<ReturnType<typeof heldLocks>>>();
  for (const t of stacks.threads) held.set(t, await heldLocks(t, ctx.source));
  const findings: Finding[] = [];
  const explained: ThreadStack[] = [];
  for (const t of waiting) {
    if (ctx.explained?.has(t)) continue;
    const w = waits.get(t)!;
    // A semaphore counts permits rather than naming an owner: "no thread holds it" says nothing of fork.
    if (t.frames.some((f) => isFrame(f, 'threading.py', 'Semaphore.acquire', 'BoundedSemaphore.acquire', 'Semaphore.__enter__'))) continue;
    const ref = { expr: w.lock ?? '', frame: callSite(t) as Frame | undefined };
    if (w.lock && stacks.threads.some((o) => held.get(o)!.some((h) => sameLock({ expr: h.name, frame: h.frame }, ref)))) continue;
    const what = w.lock ?? 'the lock';
    const base = { severity: 'warning' as const, threadId: t.id, frame: findingFrame(w.frame) };
    if (await isProcessLock(t, w.lock, ctx.source)) {
      findings.push({
        ...base,
        kind: 'process-lock-wait',
        title: `${who(t)} waits to acquire ${what} at ${where(w.frame)}, a multiprocessing lock held by another process`,
        detail: `${what} is a semaphore shared between processes and no thread of this process is inside \`with ${what}:\`, so another process of the program (its parent or a sibling started from it) holds it: dump them to see which one is inside the \`with\`. A process that holds it while it waits for this one (join(), a queue) waits forever; acquire(timeout=…) fails instead of hanging.`,
      });
      explained.push(t);
      continue;
    }
    const fork = await forkedAt(t, ctx.source);
    if (!fork && stacks.threads.length > 1) continue;
    findings.push({
      ...base,
      kind: 'fork-inherited-lock',
      title: `${who(t)} waits to acquire ${what} at ${where(w.frame)}, held by no thread of this process: ${fork ? 'inherited locked across fork()' : 'probably inherited locked across fork()'}`,
      detail: `${fork ? `This process was forked (${fork}). ` : 'It is the only thread of this process. '}No thread here is inside \`with ${what}:\` or took it with acquire(): it was held by another thread of the parent when the process forked, and that thread does not exist in the child, so nobody will ever release it. ${FORK_ADVICE}`,
    });
    explained.push(t);
  }
  return { findings, explained };
};
