// A thread waiting to acquire a lock (`with lock:`, `lock.acquire()`, a semaphore). Waits for a
// signal (Condition/Event/Queue.get) are how idle worker threads look, so they are not findings.
import type { Frame, ThreadStack } from '../model';
import { anchorFrame, callSite, isFrame, nativeInner, where } from './frames';
import type { DiagnoseContext, ThreadRule, ThreadWait } from './rule';
import { signalWaitIn } from './signalWait';
import type { SourceLines } from './sourceLines';

const NATIVE_LOCK =
  /^(lock_PyThread_acquire_lock|rlock_acquire|acquire_timed|PyThread_acquire_lock_timed|PyThread_acquire_lock|_PyMutex_LockTimed|_PyMutex_LockSlow|_PySemaphore_Wait|_multiprocessing_SemLock_acquire(_impl)?|sem_wait|sem_timedwait|sem_clock_wait|__new_sem_wait_slow64)$/;
/** A lock-like name entered by `with` (no call: `with open(f)` is not a lock). */
const WITH_NAMES = /^\s*(?:async\s+)?with\s+([^:#]+):/;
const SIMPLE_NAME = /^[A-Za-z_][\w.]*(\[[^\]]*\])?$/;
const ACQUIRE_CALL = /([A-Za-z_][\w.]*(?:\[[^\]]*\])?)\.acquire\s*\(/;

/** The lock names a `with` line enters (`with a, self._b:` → a, self._b), or [] for other lines. */
export function withLockNames(line: string): string[] {
  const m = WITH_NAMES.exec(line);
  if (!m) return [];
  const names = m[1]!.split(',').map((s) => s.trim());
  return names.every((n) => SIMPLE_NAME.test(n)) ? names : [];
}

/** The lock a source line acquires, from `with X:` or `X.acquire(`. */
export function lockOnLine(line: string): string | undefined {
  const names = withLockNames(line);
  if (names.length === 1) return names[0];
  if (names.length > 1) return names.join(', ');
  return ACQUIRE_CALL.exec(line)?.[1];
}

export interface HeldLock {
  name: string;
  frame: Frame;
  /** 1-based line of the `with` statement or the acquire() call that took it. */
  line: number;
  /** Entered in a `with` block, or taken by an acquire() call not released since. */
  how: 'with' | 'acquire';
}

/** `lock.acquire(…)` as a statement of its own (`ok = lock.acquire(timeout=1)` may have failed). */
const ACQUIRE_STATEMENT = /^\s*([A-Za-z_][\w.]*(?:\[[^\]]*\])?)\.acquire\s*\(/;
/** `if lock.acquire(timeout=…):` holds the lock inside its block. */
const ACQUIRE_HEADER = /^\s*(?:if|elif|while)\b.*?([A-Za-z_][\w.]*(?:\[[^\]]*\])?)\.acquire\s*\(/;
const RELEASE_CALL = /([A-Za-z_][\w.]*(?:\[[^\]]*\])?)\.release\s*\(/g;
/** Lines read above a frame's line for the blocks around it (a long module's top level). */
const SCAN_MAX = 1000;

function indentOf(line: string): number {
  return /^\s*/.exec(line)![0].replace(/\t/g, '        ').length;
}

/**
 * Locks a thread holds, read from the source: the `with X:` blocks enclosing each frame's current
 * line (within its function), and in the user's own code the `X.acquire()` statements on the way
 * to that line with no `X.release()` after them. A dump cannot show lock owners, but the code can.
 * An acquire() in a branch not taken (a deeper block above) does not count, nor one released
 * anywhere between: better no holder named than the wrong one.
 */
export function heldLocks(t: ThreadStack, source: SourceLines): Promise<HeldLock[]> {
  // Several rules ask for every thread's locks (deadlocks, locks inherited across fork): read once.
  let byThread = heldMemo.get(source);
  if (!byThread) heldMemo.set(source, (byThread = new WeakMap()));
  let held = byThread.get(t);
  if (!held) byThread.set(t, (held = readHeldLocks(t, source)));
  return held;
}

const heldMemo = new WeakMap<SourceLines, WeakMap<ThreadStack, Promise<HeldLock[]>>>();

async function readHeldLocks(t: ThreadStack, source: SourceLines): Promise<HeldLock[]> {
  const frames = t.frames.filter((f) => !f.native && f.localFile);
  const files = await Promise.all(frames.map((f) => source.lines(f)));
  const held: HeldLock[] = [];
  frames.forEach((frame, i) => {
    const lines = files[i];
    if (!lines || lines[frame.line - 1] === undefined) return;
    for (const h of blocksAt(lines, frame.line, !!frame.isUserCode)) held.push({ ...h, frame });
  });
  return held;
}

type HeldAt = Omit<HeldLock, 'frame'>;

/** What blocksAt found, per file's lines and line: the threads of a big dump stand on the same few lines. */
const scanned = new WeakMap<readonly string[], Map<number, HeldAt[]>>();

/** The locks the code around `line` (1-based) holds; acquire() statements counted where `acquires`. */
function blocksAt(lines: readonly string[], line: number, acquires: boolean): HeldAt[] {
  let byLine = scanned.get(lines);
  if (!byLine) scanned.set(lines, (byLine = new Map()));
  const key = line * 2 + (acquires ? 1 : 0);
  const known = byLine.get(key);
  if (known) return known;
  const held: HeldAt[] = [];
  const released = new Set<string>();
  let indent = indentOf(lines[line - 1]!);
  for (let i = line - 2; i >= 0 && i >= line - 1 - SCAN_MAX; i--) {
    const l = lines[i]!;
    if (!l.trim() || l.trim().startsWith('#')) continue;
    if (acquires) for (const m of l.matchAll(RELEASE_CALL)) released.add(m[1]!);
    const ind = indentOf(l);
    if (ind > indent) continue;
    if (ind === indent) {
      // An earlier statement of a block the line is in.
      const taken = acquires ? ACQUIRE_STATEMENT.exec(l)?.[1] : undefined;
      if (taken && !released.delete(taken)) held.push({ name: taken, line: i + 1, how: 'acquire' });
      continue;
    }
    indent = ind;
    if (/^\s*(async\s+)?def\s/.test(l) || /^\s*class\s/.test(l)) break;
    for (const name of withLockNames(l)) held.push({ name, line: i + 1, how: 'with' });
    const taken = acquires ? ACQUIRE_HEADER.exec(l)?.[1] : undefined;
    if (taken && !released.has(taken)) held.push({ name: taken, line: i + 1, how: 'acquire' });
  }
  byLine.set(key, held);
  return held;
}

export const lockWait: ThreadRule = async (t: ThreadStack, ctx: DiagnoseContext): Promise<ThreadWait | undefined> => {
  // Waiting for a signal, not for a lock someone holds: normal for idle threads.
  if (signalWaitIn(t)) return undefined;
  const python = t.frames.filter((f) => !f.native);
  const firstUser = python.findIndex((f) => f.isUserCode);
  const libraryPart = firstUser < 0 ? python : python.slice(0, firstUser);

  const semaphore = libraryPart.some((f) => isFrame(f, 'threading.py', 'Semaphore.acquire', 'BoundedSemaphore.acquire'));
  const natives = nativeInner(t);
  const nativeLock = natives.some((f) => NATIVE_LOCK.test(f.function));
  if (natives.length > 0 && !nativeLock) return undefined;
  const caller = callSite(t);
  const line = caller ? await ctx.source.line(caller) : undefined;
  const lock = line ? lockOnLine(line) : undefined;
  if (!semaphore && !nativeLock && !lock) return undefined;

  const frame = anchorFrame(t);
  // Native frames only (a pasted `bt`, a core without python-gdb.py): every threading wait blocks in
  // a C lock acquire, so an idle pool worker in Queue.get looks like a thread stuck on a Lock.
  if (python.length === 0)
    return {
      kind: 'lock-wait',
      severity: 'info',
      phrase: 'waits in a C lock acquire (native frames only: a Lock, or a Condition, Event, Queue or join)',
      call: 'acquiring a lock',
      detail: `Only native frames are shown, and a C lock acquire is where every threading wait blocks: a Lock or RLock, but also Condition.wait, Event.wait, Queue.get and Thread.join, so idle worker threads wait here too${
        frame ? ` (this one at ${where(frame)})` : ''
      }. The Python frames tell which lock and who holds it: \`thread apply all py-bt\` with the interpreter's python-gdb.py loaded, or a live dump.`,
      frame,
    };
  const what = semaphore ? 'a semaphore' : lock ? lock : 'a lock';
  return {
    kind: 'lock-wait',
    severity: 'warning',
    phrase: `waits to acquire ${what}`,
    call: `acquiring ${what}`,
    detail: `Another thread holds ${lock ?? 'it'} and has not released it. Look for the thread running inside \`with ${lock ?? 'the lock'}:\`${frame ? ` (this one waits at ${where(frame)})` : ''}. lock.acquire(timeout=…) fails instead of hanging.`,
    frame,
    ...(lock ? { lock } : {}),
  };
};
