// A thread waiting to acquire a multiprocessing lock (a semaphore shared between processes): its
// stack ends in multiprocessing's SemLock.__enter__/acquire, a library frame, so the lock's name
// comes from the user's line beneath it (`with lock:`). The fork rule (forkInheritedLock.ts) then
// says which process holds it.
import type { ThreadStack } from '../model';
import { anchorFrame, isFrame, where } from './frames';
import { lockOnLine } from './lockWait';
import type { DiagnoseContext, ThreadRule, ThreadWait } from './rule';

const isSemLock = (t: ThreadStack) => {
  const firstUser = t.frames.findIndex((f) => f.isUserCode);
  const inner = firstUser < 0 ? t.frames : t.frames.slice(0, firstUser);
  return inner.some((f) => isFrame(f, 'multiprocessing/synchronize.py', 'SemLock.__enter__', 'SemLock.acquire'));
};

export const processLockWait: ThreadRule = async (t: ThreadStack, ctx: DiagnoseContext): Promise<ThreadWait | undefined> => {
  if (!isSemLock(t)) return undefined;
  const user = t.frames.find((f) => f.isUserCode && !f.native);
  const line = user ? await ctx.source.line(user) : undefined;
  const lock = line ? lockOnLine(line) : undefined;
  const frame = anchorFrame(t);
  return {
    kind: 'lock-wait',
    severity: 'warning',
    phrase: `waits to acquire ${lock ?? 'a multiprocessing lock'}`,
    call: `acquiring ${lock ?? 'a multiprocessing lock'}`,
    detail: `${lock ?? 'The lock'} is a multiprocessing lock: a thread of this process or another process holds it${frame ? ` (this one waits at ${where(frame)})` : ''}. acquire(timeout=…) fails instead of hanging.`,
    frame,
    ...(lock ? { lock } : {}),
  };
};
