// Who or what a waiting thread waits for: the thread a join waits for (by the joined Thread object
// in the locals, else the only thread it can be), the executor worker running the future's task,
// the threads that hold the queue or Event it waits on (by address in the locals), "nobody" when no
// other thread is left that could, or the process's children (a child's exit, its pipe). followWait
// follows these edges to the end of the chain.
import type { Frame, ThreadStack } from '../model';
import { anchorFrame, isFrame } from './frames';
import { holds, local, objectRef, selfAddress } from './localsOf';
import type { ThreadWait } from './rule';
import { who } from './threadLabel';

export type WaitTarget =
  /** One thread: `as` says what it is to the waiter ("worker-1 to finish"). */
  | { kind: 'thread'; thread: ThreadStack; as: string; how: string }
  /** Several threads it may be, when the stacks cannot tell. */
  | { kind: 'threads'; threads: ThreadStack[]; as: string }
  /** No thread can end the wait. */
  /** No thread can end the wait: `title` says so in a few words ("a Condition nothing will notify"), `why` says why. */
  | { kind: 'nobody'; what: string; title: string; why: string; fix: string }
  /** A child process (its exit, its output). */
  | { kind: 'children'; what: string; fix: string };

const THREAD_BOOT = ['Thread._bootstrap_inner', 'Thread._bootstrap', 'Thread.run'];

/** The library frames inside the thread's innermost user frame (what it is doing now). */
function libraryPart(t: ThreadStack): Frame[] {
  const python = t.frames.filter((f) => !f.native);
  const firstUser = python.findIndex((f) => f.isUserCode);
  return firstUser < 0 ? python : python.slice(0, firstUser);
}

const find = (frames: readonly Frame[], file: string, ...names: string[]) => frames.find((f) => isFrame(f, file, ...names));

/** A thread started by threading (its stack ends in Thread._bootstrap). */
const isThreadingThread = (t: ThreadStack) => t.frames.some((f) => isFrame(f, 'threading.py', ...THREAD_BOOT));
const isExecutorWorker = (t: ThreadStack) => t.frames.some((f) => isFrame(f, 'concurrent/futures/thread.py', '_worker'));
const runsTask = (t: ThreadStack) => t.frames.some((f) => isFrame(f, 'concurrent/futures/thread.py', '_WorkItem.run'));
/** Threads of a library's own machinery: multiprocessing's pool and queue threads, a process pool's manager. */
const isLibraryHelper = (t: ThreadStack) =>
  t.name === 'QueueFeederThread' ||
  t.frames.some((f) => /(^|\/)(multiprocessing\/pool|concurrent\/futures\/process|multiprocessing\/resource_sharer)\.py$/.test(f.file));

/** Threads the user's code started (not executor workers, not a library's helpers). */
function userThreads(all: readonly ThreadStack[], except: ThreadStack): ThreadStack[] {
  return all.filter((o) => o !== except && isThreadingThread(o) && !isExecutorWorker(o) && !isLibraryHelper(o));
}

/** Threads that could still act on a shared object: any but idle library helpers (an idle executor worker, a pool's handler). */
function mayAct(all: readonly ThreadStack[], except: ThreadStack): ThreadStack[] {
  return all.filter((o) => o !== except && !((isExecutorWorker(o) && !runsTask(o)) || isLibraryHelper(o)));
}

/** Waits only another thread can end: a join, a lock, an untimed Event/Condition/queue wait. */
const PASSIVE_KINDS = new Set(['join-wait', 'lock-wait', 'signal-wait']);

/**
 * A thread that cannot act before another does: blocked in a wait only another thread ends (not
 * running, not in a sleep, a socket, select() or a timed wait, which end by themselves or from outside).
 */
function isPassive(o: ThreadStack, own: ThreadWait | undefined): boolean {
  if (o.active) return false;
  if (own) return PASSIVE_KINDS.has(own.kind);
  const waits = libraryPart(o).filter(
    (f) =>
      isFrame(f, 'threading.py', 'Event.wait', 'Condition.wait', 'Condition.wait_for', 'Thread.join', 'Barrier.wait') ||
      isFrame(f, 'queue.py', 'Queue.get', 'Queue.put', 'Queue.join'),
  );
  if (waits.length === 0) return false;
  const timeout = local(waits[waits.length - 1]!, 'timeout')?.repr;
  return timeout === undefined || timeout === 'None';
}

/** The thread whose Thread object is at `address` (its bootstrap frames' `self`). */
function threadAt(all: readonly ThreadStack[], address: string): ThreadStack | undefined {
  return all.find((o) => o.frames.some((f) => isFrame(f, 'threading.py', ...THREAD_BOOT) && selfAddress(f) === address));
}

const CHILD_READ = /\.(stdout|stderr)\s*\.\s*(read|readline|readlines|read1|readinto)\s*\(|\bfor\s+\w+\s+in\s+[\w.]+\.(stdout|stderr)\b/;

/**
 * What `t` waits for. `all` are the dump's threads with locals where they could be read (`t` among
 * them); `line` is the source line of `t`'s innermost user frame, when readable.
 */
export function waitTarget(
  t: ThreadStack,
  w: ThreadWait | undefined,
  all: readonly ThreadStack[],
  line: string | undefined,
  ownOf: (o: ThreadStack) => ThreadWait | undefined,
): WaitTarget | undefined {
  const lib = libraryPart(t);

  // A child process: its exit, a multiprocessing join, its output on a pipe.
  if (
    find(lib, 'multiprocessing/process.py', 'BaseProcess.join') ||
    find(lib, 'subprocess.py', 'Popen.wait', 'Popen._wait', 'Popen.communicate', 'Popen._communicate')
  ) {
    const communicate = !!find(lib, 'subprocess.py', 'Popen.communicate', 'Popen._communicate');
    return {
      kind: 'children',
      what: communicate ? 'its output' : 'to exit',
      fix: communicate
        ? 'communicate(timeout=…) or subprocess.run(…, timeout=…) returns instead of hanging.'
        : 'join(timeout=…) / wait(timeout=…) returns instead of hanging.',
    };
  }
  if (lib.length === 0 && line && /\bos\.(waitpid|wait|wait3|wait4|waitid)\s*\(/.test(line)) {
    return { kind: 'children', what: 'to exit', fix: 'os.waitpid(pid, os.WNOHANG) in a loop with a deadline returns instead of hanging.' };
  }
  if ((w?.kind === 'read-wait' || lib.length === 0) && line && CHILD_READ.test(line)) {
    return { kind: 'children', what: 'its output', fix: 'Read with communicate(timeout=…), or give the read a deadline (selectors with a timeout).' };
  }

  // A thread: Thread.join.
  const join = find(lib, 'threading.py', 'Thread.join', 'Thread._wait_for_tstate_lock');
  if (join) {
    const joinFrame = find(lib, 'threading.py', 'Thread.join') ?? join;
    const address = selfAddress(joinFrame) ?? selfAddress(join);
    const joined = address ? threadAt(all, address) : undefined;
    if (joined) return { kind: 'thread', thread: joined, as: `${who(joined)} to finish`, how: 'the joined Thread object, by its address in the locals' };
    // Inside an executor's shutdown: its workers; else the threads the user's code started.
    const pool = t.frames.some((f) => isFrame(f, 'concurrent/futures/thread.py', 'ThreadPoolExecutor.shutdown'));
    const candidates = pool ? all.filter((o) => o !== t && isExecutorWorker(o)) : userThreads(all, t);
    if (candidates.length === 1) {
      const only = candidates[0]!;
      return { kind: 'thread', thread: only, as: `${who(only)} to finish`, how: `the only other thread ${pool ? 'of the executor' : 'the program started'}` };
    }
    if (candidates.length > 1) return { kind: 'threads', threads: candidates, as: 'a thread to finish' };
    return undefined;
  }

  // A future: the executor worker running its task.
  const future = find(lib, 'concurrent/futures/_base.py', 'Future.result', 'Future.exception', 'wait', 'as_completed');
  if (future) {
    if (all.some((o) => o.frames.some((f) => /(^|\/)concurrent\/futures\/process\.py$/.test(f.file)))) {
      return { kind: 'children', what: "a ProcessPoolExecutor task's result", fix: 'result(timeout=…) returns instead of hanging.' };
    }
    const busy = all.filter((o) => o !== t && runsTask(o));
    if (busy.length === 1) return { kind: 'thread', thread: busy[0]!, as: `${who(busy[0]!)}'s task`, how: 'the only executor worker running a task' };
    if (busy.length > 1) return { kind: 'threads', threads: busy, as: 'a task one of the executor workers runs' };
    if (all.some((o) => isExecutorWorker(o)))
      return {
        kind: 'nobody',
        what: 'the result of a future',
        title: 'a future no worker runs',
        why: 'no executor worker is running a task: the future is queued behind nothing, or it belongs to an executor that has shut down',
        fix: 'Check that the executor the task was submitted to is still running; result(timeout=…) returns instead of hanging.',
      };
    return undefined;
  }

  // A Barrier: the threads that could still reach it, else nobody (fewer threads call wait() than its parties).
  const barrier = barrierWait(lib);
  if (barrier && barrier === lib[lib.length - 1]) {
    const timed = local(barrier, 'timeout')?.repr;
    if (timed !== undefined && timed !== 'None') return undefined;
    const address = selfAddress(barrier);
    const inIt = (o: ThreadStack) => {
      const b = barrierWait(libraryPart(o));
      return !!b && (!address || selfAddress(b) === address);
    };
    const waiting = all.filter((o) => o !== t && inIt(o));
    const others = mayAct(all, t).filter((o) => !inIt(o));
    const fix =
      'A Barrier releases its threads only when as many call wait() as it has parties: make Barrier(parties) match the threads that reach it (a thread that failed or returned early never does), and wait(timeout=…) raises BrokenBarrierError instead of hanging.';
    const inBarrier = `${who(t)}${waiting.length ? ` and ${waiting.map(who).join(', ')}` : ''} wait${waiting.length ? '' : 's'} in it`;
    if (others.length === 0 || others.every((o) => isPassive(o, ownOf(o))))
      return {
        kind: 'nobody',
        what: 'the other parties of a Barrier',
        title: 'a Barrier no other thread will reach',
        why: `${inBarrier}, and ${others.length === 0 ? 'no other thread is left' : 'every other thread is blocked waiting for another'} to call wait()`,
        fix,
      };
    return undefined;
  }

  // A queue, an Event, a Condition: the threads that hold the same object (by address), else nobody when none could.
  const queue = find(lib, 'queue.py', 'Queue.get');
  // The outermost of Event.wait → Condition.wait (older Pythons name both `wait`).
  const signals = queue ? [] : lib.filter((f) => isFrame(f, 'threading.py', 'Event.wait', 'Condition.wait', 'Condition.wait_for'));
  const obj = queue ?? signals[signals.length - 1];
  // Only the user's own wait: inside a library's machinery (a Pool's result, a connection pool) the
  // object is the library's, and its own rule says what it waits for.
  if (!obj || obj !== lib[lib.length - 1]) return undefined;
  const kind = queue ? 'queue' : signalKind(obj, signals.length);
  const verb = queue ? 'put to' : kind === 'Event' ? 'set' : 'notify';
  const timed = local(obj, 'timeout')?.repr;
  if (timed !== undefined && timed !== 'None') return undefined; // it wakes by itself
  const address = selfAddress(obj);
  const others = mayAct(all, t);
  const what = queue ? 'an item from a queue' : `a${kind === 'Event' ? 'n' : ''} ${kind}`;
  const title = queue ? 'a queue item nothing will put' : `${what} nothing will ${verb}`;
  // Threads holding the object in their locals (a global is in nobody's locals: not proof of absence).
  // A thread waiting on the same object itself cannot be the one to set or feed it.
  const waitsOnIt = (o: ThreadStack) => libraryPart(o).some((f) => selfAddress(f) === address);
  const holders = address ? others.filter((o) => holds(o, address) && !waitsOnIt(o)) : [];
  if (holders.length === 1)
    return {
      kind: 'thread',
      thread: holders[0]!,
      as: `${who(holders[0]!)}, the only other thread holding this ${kind}`,
      how: `the ${kind} object, by its address in the locals`,
    };
  if (holders.length > 1) return { kind: 'threads', threads: holders, as: `one of the threads holding this ${kind} to ${verb} it` };
  if (others.length === 0)
    return { kind: 'nobody', what, title, why: `no other thread is left to ${verb} it${queue ? ' (its producers have exited)' : ''}`, fix: nobodyFix(kind) };
  // Every other thread waits for another thread in turn: nothing is left running that could.
  if (others.every((o) => isPassive(o, ownOf(o))))
    return {
      kind: 'nobody',
      what,
      title,
      why: `every other thread is blocked waiting for another, so none is left to ${verb} it`,
      fix: `The other threads: ${others.map(who).slice(0, 5).join(', ')}${others.length > 5 ? ', …' : ''}. ${nobodyFix(kind)}`,
    };
  return undefined;
}

function signalKind(f: Frame, depth: number): 'Event' | 'Condition' {
  if (f.function.startsWith('Event')) return 'Event';
  if (f.function.startsWith('Condition')) return 'Condition';
  const type = objectRef(local(f, 'self')?.repr)?.type;
  if (type === 'Event' || type === 'Condition') return type;
  return depth > 1 ? 'Event' : 'Condition';
}

function nobodyFix(kind: string): string {
  return kind === 'queue'
    ? 'Make the producer put a final item (a sentinel) even when it fails (try/finally), and get(timeout=…) so the consumer notices.'
    : `Make sure the thread that should ${kind === 'Event' ? 'set the Event' : 'notify the Condition'} still does when it fails (try/finally), and wait(timeout=…) so the waiter notices.`;
}

/**
 * The Barrier.wait frame among library frames: the one with Barrier._wait just inside it (Pythons
 * before 3.11 name both Barrier.wait and Condition.wait `wait`).
 */
function barrierWait(lib: readonly Frame[]): Frame | undefined {
  const i = lib.findIndex((f, j) => j > 0 && isFrame(f, 'threading.py', 'Barrier.wait') && isFrame(lib[j - 1]!, 'threading.py', 'Barrier._wait'));
  return i < 0 ? undefined : lib[i];
}

/** Where a thread stands, for a title: `worker.py:17 (fetch)`. */
export function standing(t: ThreadStack): Frame | undefined {
  return anchorFrame(t);
}
