// asyncio tasks deadlocked on asyncio.Locks: each task waiting for a lock is itself inside an
// `async with <lock>:` (or holds one by acquire()) while no other task holds any, so the lock each
// waits for is held by another of them. asyncio.Lock has no owner to read, so the holding is read
// from the tasks' source as for threads (findings/lockWait.heldLocks); the wait is the reader's
// (the task's innermost coroutine is Lock.acquire).
import type { AsyncTask, AsyncioTasks, Finding, ThreadStack } from '../model';
import { findingFrame } from '../findings/frames';
import { heldLocks, lockOnLine, type HeldLock } from '../findings/lockWait';
import type { SourceLines } from '../findings/sourceLines';
import { someNames } from '../stacks/threadGroups';
import { clipName } from '../stacks/frameText';
import { placeName } from './taskGroups';
import { taskFrame } from './taskFindings';

/** A task's await chain as the lock rules read a thread's stack. */
const asStack = (t: AsyncTask): ThreadStack => ({ id: 0, name: t.name, active: false, frames: t.frames });

const CHAIN_MAX = 5;

/** The deadlock among tasks waiting for asyncio locks, when every waiter holds one and no other task does. */
export async function taskLockFindings(snapshot: AsyncioTasks, source: SourceLines): Promise<Finding[]> {
  if (snapshot.tasks.some((t) => t.current)) return []; // a running task may release a lock
  // In the order of where they wait, then their names: the same deadlock reads the same in every dump.
  const placeKey = (t: AsyncTask) => {
    const at = taskFrame(t);
    return `${at?.file ?? ''}\0${String(at?.line ?? 0).padStart(9, '0')}\0${t.name}`;
  };
  const waiting = snapshot.tasks
    .filter((t) => t.awaits?.what === 'lock' && !t.awaits.done)
    .sort((a, b) => (placeKey(a) < placeKey(b) ? -1 : placeKey(a) > placeKey(b) ? 1 : 0));
  if (waiting.length < 2) return [];
  const held = new Map<AsyncTask, HeldLock[]>();
  for (const t of snapshot.tasks) held.set(t, await heldLocks(asStack(t), source));
  if (waiting.some((t) => held.get(t)!.length === 0)) return [];
  if (snapshot.tasks.some((t) => !waiting.includes(t) && held.get(t)!.length > 0)) return [];
  const waits = await Promise.all(
    waiting.map(async (t) => {
      const at = taskFrame(t);
      const line = at ? await source.line(at) : undefined;
      return { task: t, at, lock: (line && lockOnLine(line)) ?? 'a lock' };
    }),
  );
  const label = (t: AsyncTask) => {
    const at = taskFrame(t);
    return `${clipName(t.name)}${at ? ` (${clipName(at.function.replace(/^.*\./, ''), 40)})` : ''}`;
  };
  const links = waits.map(
    (w) =>
      `${clipName(w.task.name)} holds ${held
        .get(w.task)!
        .map((h) => `${h.name} (line ${h.line})`)
        .join(', ')} and waits for ${w.lock} at ${placeName(w.at)}`,
  );
  const first = waits[0]!;
  return [
    {
      severity: 'warning',
      kind: 'asyncio-deadlock',
      title: `${someNames(waiting.map(label), 3)} wait for asyncio locks the other${waiting.length > 2 ? 's' : ''} hold${waiting.length > 2 ? '' : 's'}: a deadlock${first.at ? ` at ${placeName(first.at)}` : ''}`,
      detail: `${links.slice(0, CHAIN_MAX).join('; ')}${links.length > CHAIN_MAX ? `; and ${links.length - CHAIN_MAX} more tasks` : ''}. Every task waiting for a lock holds one itself and no other task holds any, so each waits for a lock another of them holds: none can continue, and the event loop sits idle. Take the locks in one fixed order everywhere, or bound the wait (async with asyncio.timeout(…), asyncio.wait_for(lock.acquire(), …)).`,
      ...(first.at ? { frame: findingFrame(first.at) } : {}),
    },
  ];
}
