// Threads that wait in the same place, taken as one: 500 pool workers blocked on one lock are one
// fact, not 500. Findings, the Stacks view and the text dump all group with groupThreads(), so they
// agree on who is in which group. No vscode here.
import { clipName, where } from './frameText';
import { standsAt } from './standing';
import type { Frame, ThreadStack } from '../model';
import { escapeQuotes } from '../text/safeText';

/** Fewer threads than this in one place are shown one by one (two deadlocked threads stay two). */
export const MIN_GROUP = 3;

export interface ThreadGroup {
  /** In dump order; the first stands for the group (its stack is the one shown). */
  threads: ThreadStack[];
  /** Where they wait: the first thread's innermost user frame, else its innermost frame. */
  at?: Frame;
  /** How many innermost frames every member has alike (the first thread's stack up to there). */
  shared: number;
  /** Every member has exactly the first thread's stack. */
  sameStack: boolean;
}

function frameKey(f: Frame): string {
  return `${f.native ? 'n' : 'p'}\0${f.function}\0${f.native ? (f.module ?? f.file) : f.file}\0${f.line}`;
}

/**
 * What says where a thread waits: the frames from the innermost one through the innermost user
 * frame (all of them when none is the user's), and whether it runs. A thread with no frames is
 * nowhere in particular and is never grouped.
 */
function placeKey(t: ThreadStack): string | undefined {
  if (t.frames.length === 0) return undefined;
  const user = t.frames.findIndex((f) => f.isUserCode);
  const upTo = user < 0 ? t.frames.length : user + 1;
  return [t.active ? 'active' : 'idle', ...t.frames.slice(0, upTo).map(frameKey)].join('\n');
}

/** frameKey(a) === frameKey(b), without building the keys (a big group compares thousands of frames). */
function sameFrame(a: Frame, b: Frame): boolean {
  if (a === b) return true;
  if (!!a.native !== !!b.native || a.function !== b.function || a.line !== b.line) return false;
  return a.native ? (a.module ?? a.file) === (b.module ?? b.file) : a.file === b.file;
}

function sharedDepth(threads: readonly ThreadStack[]): number {
  const first = threads[0]!.frames;
  let n = first.length;
  for (let k = 1; k < threads.length; k++) {
    const frames = threads[k]!.frames;
    n = Math.min(n, frames.length);
    let i = 0;
    while (i < n && sameFrame(frames[i]!, first[i]!)) i++;
    n = i;
  }
  return n;
}

function group(threads: ThreadStack[]): ThreadGroup {
  const first = threads[0]!;
  const shared = threads.length === 1 ? first.frames.length : sharedDepth(threads);
  return {
    threads,
    at: standsAt(first.frames),
    shared,
    sameStack: shared === first.frames.length && threads.every((t) => t.frames.length === shared),
  };
}

/**
 * All threads, in dump order of each group's first thread: `min` or more threads waiting in the
 * same place (same frames through the innermost user frame, same active/idle state) form one
 * group; every other thread is a group of its own.
 */
export function groupThreads(threads: readonly ThreadStack[], min = MIN_GROUP): ThreadGroup[] {
  const byKey = new Map<string, ThreadStack[]>();
  for (const t of threads) {
    const key = placeKey(t);
    if (key === undefined) continue;
    const list = byKey.get(key);
    if (list) list.push(t);
    else byKey.set(key, [t]);
  }
  const listOf = new Map<ThreadStack, ThreadStack[]>();
  for (const list of byKey.values()) if (list.length >= Math.max(2, min)) for (const t of list) listOf.set(t, list);
  const out: ThreadGroup[] = [];
  const done = new Set<ThreadStack[]>();
  for (const t of threads) {
    const list = listOf.get(t);
    if (!list) out.push(group([t]));
    else if (!done.has(list)) {
      done.add(list);
      out.push(group(list));
    }
  }
  return out;
}

/** Thread → its group, for the threads in groups of two or more. */
export function groupIndex(groups: readonly ThreadGroup[]): Map<ThreadStack, ThreadGroup> {
  const m = new Map<ThreadStack, ThreadGroup>();
  for (const g of groups) if (g.threads.length > 1) for (const t of g.threads) m.set(t, g);
  return m;
}

/**
 * Names as a short list: `a, b and c`, or `a, b, c and 497 more` once there are more than `max`
 * or the list would pass `budget` characters (at least one name is always shown).
 */
export function someNames(names: readonly string[], max = 3, budget = Infinity, wrap = (s: string) => s): string {
  const shown: string[] = [];
  let length = 0;
  for (const n of names.slice(0, max)) {
    const c = wrap(clipName(n));
    if (shown.length > 0 && length + c.length + 2 > budget) break;
    shown.push(c);
    length += c.length + 2;
  }
  const rest = names.length - shown.length;
  if (rest === 0) return shown.length === 1 ? shown[0]! : `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
  return `${shown.join(', ')} and ${rest} more`;
}

/** `500 threads wait at pool.py:12 (work)`: a group as the Stacks view and the text dump name it. */
export function groupLabel(g: ThreadGroup): string {
  const idle = g.threads.every((t) => !t.active);
  const at = g.at ? where(g.at) : 'the same place';
  return `${g.threads.length} threads ${idle ? 'wait' : 'run'} at ${at}`;
}

/** How many names a group's headline lists, and in how many characters at most. */
const HEADLINE_NAMES = 12;
const HEADLINE_BUDGET = 140;

/**
 * A group's headline in the text dump, before the stack shown once for all:
 * `500 threads (idle), one stack: "worker-0", "worker-1", … and 490 more`.
 * `name` renders each name (escapeMarkdown in Markdown); the text dump neutralises whole lines.
 */
export function groupHeadline(g: ThreadGroup, name: (s: string) => string = (s) => s): string {
  const first = g.threads[0]!;
  const state = g.threads.every((t) => !t.active) ? 'idle' : g.threads.every((t) => t.active) ? 'active' : 'active and idle';
  const what = g.sameStack ? 'one stack' : `the same innermost ${g.shared} frame${g.shared === 1 ? '' : 's'}`;
  const locals = first.frames.slice(0, g.shared).some((f) => f.locals?.length) ? ` (locals of "${name(escapeQuotes(clipName(first.name)))}")` : '';
  return `${g.threads.length} threads (${state}), ${what}${locals}: ${someNames(
    g.threads.map((t) => t.name),
    HEADLINE_NAMES,
    HEADLINE_BUDGET,
    (s) => `"${name(escapeQuotes(s))}"`,
  )}`;
}

/** The line after a group's shared frames when the members' outer frames differ. */
export const GROUP_STACKS_DIFFER = '… outer frames differ from thread to thread (--json has every stack)';
