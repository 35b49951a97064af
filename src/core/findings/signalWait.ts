// A thread waiting for a signal from another thread: an Event, a Condition, a Barrier, a Queue.
// Idle worker and helper threads look like this, so a dump reports no finding for it; the sampler
// uses it to tell a parked helper from a hang.
import type { Frame, ThreadStack } from '../model';
import { anchorFrame, isFrame } from './frames';
import type { ThreadRule, ThreadWait } from './rule';

const SIGNAL_WAITS: ReadonlyArray<{ file: string; names: string[]; what: string }> = [
  { file: 'threading.py', names: ['Event.wait'], what: 'an Event' },
  { file: 'threading.py', names: ['Condition.wait', 'Condition.wait_for'], what: 'a Condition' },
  { file: 'threading.py', names: ['Barrier.wait'], what: 'a Barrier' },
  { file: 'queue.py', names: ['Queue.get', 'Queue.put', 'Queue.join'], what: 'a queue' },
  { file: 'multiprocessing/queues.py', names: ['Queue.get', 'JoinableQueue.join'], what: 'a multiprocessing queue' },
];

/** The outermost signal wait among the library frames inside the thread's innermost user frame. */
export function signalWaitIn(t: ThreadStack): { frame: Frame; what: string } | undefined {
  const python = t.frames.filter((f) => !f.native);
  const firstUser = python.findIndex((f) => f.isUserCode);
  const libraryPart = firstUser < 0 ? python : python.slice(0, firstUser);
  let hit: { frame: Frame; what: string } | undefined;
  for (const f of libraryPart) {
    const kind = SIGNAL_WAITS.find((k) => isFrame(f, k.file, ...k.names));
    if (kind) hit = { frame: f, what: kind.what }; // Queue.get over the Condition.wait inside it
  }
  return hit;
}

export const signalWait: ThreadRule = async (t: ThreadStack): Promise<ThreadWait | undefined> => {
  const hit = signalWaitIn(t);
  if (!hit) return undefined;
  return {
    kind: 'signal-wait',
    severity: 'info',
    phrase: `waits for ${hit.what} (${hit.frame.function})`,
    call: `waiting for ${hit.what}`,
    detail:
      'Another thread has to set, notify or feed it. Idle worker threads wait like this between jobs; a thread that should be working is waiting for a producer that stopped.',
    frame: anchorFrame(t),
  };
};
