// A thread waiting for another thread, a child process or a future to finish. Usually the symptom,
// not the cause: the finding says where to look next (the other thread, or a dump of the child).
import type { Frame, ThreadStack } from '../model';
import { anchorFrame, isFrame, where } from './frames';
import type { DiagnoseContext, ThreadRule, ThreadWait } from './rule';
import { who } from './threadLabel';

interface JoinKind {
  file: string;
  names: string[];
  what: string;
  detail: (t: ThreadStack, others: string) => string;
}

const KINDS: JoinKind[] = [
  {
    file: 'multiprocessing/process.py',
    names: ['BaseProcess.join'],
    what: 'a child process to exit',
    detail: () =>
      'The child must exit first: dump it (it is listed under this process) to see where it waits. A child that put items on a multiprocessing.Queue cannot exit until they are read, because its queue feeder thread flushes them at exit: read the queue before join().',
  },
  {
    file: 'subprocess.py',
    names: ['Popen.wait', 'Popen._wait', 'Popen.communicate'],
    what: 'a child process to exit',
    detail: (t) =>
      t.frames.some((f) => isFrame(f, 'subprocess.py', 'Popen.communicate'))
        ? 'The child must exit and close its output first: dump it (it is listed under this process) to see where it waits. subprocess.run(…, timeout=…) or communicate(timeout=…) returns instead of hanging.'
        : 'The child must exit first: dump it (it is listed under this process) to see where it waits. A child writing to a PIPE nobody reads blocks when the pipe is full: use communicate() instead of wait(), and a timeout=.',
  },
  {
    file: 'threading.py',
    names: ['Thread.join', 'Thread._wait_for_tstate_lock'],
    what: 'a thread to finish',
    detail: (_t, others) =>
      `The join ends only when the joined thread returns; see where the other threads are${others ? `: ${others}` : ''}. join(timeout=…) returns instead of hanging.`,
  },
  {
    // Interpreter exit: the script has returned and threading joins every non-daemon thread.
    file: 'threading.py',
    names: ['_shutdown'],
    what: 'its non-daemon threads to finish (the script has ended)',
    detail: (_t, others) =>
      `The main script has returned, and Python exits only once every non-daemon thread has returned${others ? `; the other threads: ${others}` : ''}. A thread that should not keep the process alive is started with daemon=True; one that should finish needs a way to be told to stop (an Event it checks) before the script ends.`,
  },
  {
    file: 'multiprocessing/pool.py',
    names: ['Pool.map', 'Pool.starmap', 'Pool.join', 'ApplyResult.get', 'ApplyResult.wait', 'IMapIterator.next'],
    what: 'the worker processes of a multiprocessing pool',
    detail: () =>
      "A worker has not finished its task: dump the pool's worker processes (listed under this process) to see which one is stuck, and where. AsyncResult.get(timeout=…) returns instead of hanging; a worker that died without a result leaves map() waiting forever on older Pythons.",
  },
  {
    file: 'concurrent/futures/_base.py',
    names: ['Future.result', 'Future.exception'],
    what: 'the result of a concurrent.futures task',
    detail: (_t, others) =>
      `The task has not finished; see where the pool's threads are${others ? `: ${others}` : ''}. result(timeout=…) returns instead of hanging.`,
  },
];

/** The other threads and where each is, for "where to look next". */
function othersOf(t: ThreadStack, all: readonly ThreadStack[]): string {
  return all
    .filter((o) => o !== t)
    .map((o) => `${who(o)} (${where(anchorFrame(o))})`)
    .join(', ');
}

/** Builds the rule over the dump's threads (the detail names the other threads). */
export function joinWaitIn(all: readonly ThreadStack[]): ThreadRule {
  return async (t, ctx) => {
    // Only frames inside the user's innermost frame: the join must be what the thread is doing now.
    const firstUser = t.frames.findIndex((f) => f.isUserCode);
    const inner = firstUser < 0 ? t.frames : t.frames.slice(0, firstUser);
    let hit: { kind: JoinKind; frame: Frame } | undefined;
    for (const f of inner) {
      const kind = KINDS.find((k) => isFrame(f, k.file, ...k.names));
      if (kind) hit = { kind, frame: f }; // keep the outermost match: Process.join over its Popen.wait
    }
    if (!hit) return waitpidLine(t, ctx);
    const wait: ThreadWait = {
      kind: 'join-wait',
      severity: 'info',
      phrase: `waits for ${hit.kind.what}`,
      call: `waiting for ${hit.kind.what}`,
      detail: hit.kind.detail(t, othersOf(t, all)),
      frame: anchorFrame(t),
    };
    return wait;
  };
}

/** `os.waitpid(pid, 0)` / `os.wait()` on the user's own line (a C call: no library frame shows it). */
export const WAITPID_CALL = /\bos\.(waitpid|wait|wait3|wait4|waitid)\s*\(/;

async function waitpidLine(t: ThreadStack, ctx: DiagnoseContext): Promise<ThreadWait | undefined> {
  const inner = t.frames.find((f) => !f.native);
  if (
    t.active ||
    !inner?.isUserCode ||
    t.frames.some((f) => f.native && !/^(wait4|__wait4|waitpid|__waitpid|waitid|os_waitpid(_impl)?|os_wait(_impl)?)$/.test(f.function))
  )
    return undefined;
  const line = await ctx.source.line(inner);
  if (!line || !WAITPID_CALL.test(line.replace(/#.*$/, ''))) return undefined;
  return {
    kind: 'join-wait',
    severity: 'info',
    phrase: 'waits for a child process to exit',
    call: 'waiting for a child process to exit',
    detail:
      'The child must exit first: dump it (it is listed under this process) to see where it waits. os.waitpid(pid, os.WNOHANG) in a loop with a deadline returns instead of hanging.',
    frame: anchorFrame(t),
  };
}
