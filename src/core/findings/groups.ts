// Many threads in one wait make one finding: "500 threads (worker-0, worker-1 and 498 more) wait
// to acquire work_lock at pool.py:12 (work), held by MainThread". Which threads are "in one wait"
// is format/threadGroups' call (the groups the Stacks view and the text dump show too), refined by
// what a rule says about each thread (the same lock, the same holder).
import { groupIndex, groupThreads, MIN_GROUP, someNames } from '../stacks/threadGroups';
import type { Finding, ThreadStack } from '../model';
import { who } from './threadLabel';

/** Titles stay one line in a tree row or a terminal, however many threads and however long their names. */
export const TITLE_MAX = 160;
/** Names a finding's detail lists before "and N more". */
const DETAIL_NAMES = 20;

/**
 * The items (one per thread) in clusters: items whose threads are in one thread group and whose
 * keys are equal; a cluster smaller than MIN_GROUP falls apart into single items. In the order of
 * each cluster's first item.
 */
export function clusters<T>(threads: readonly ThreadStack[], items: readonly T[], threadOf: (x: T) => ThreadStack, keyOf: (x: T) => string): T[][] {
  const index = groupIndex(groupThreads(threads));
  const ids = new Map<object, number>();
  const byKey = new Map<string, T[]>();
  const order: (T[] | T)[] = [];
  for (const item of items) {
    const g = index.get(threadOf(item));
    if (!g) {
      order.push([item]);
      continue;
    }
    if (!ids.has(g)) ids.set(g, ids.size);
    const key = `${ids.get(g)}\0${keyOf(item)}`;
    const list = byKey.get(key);
    if (list) list.push(item);
    else {
      const fresh = [item];
      byKey.set(key, fresh);
      order.push(fresh);
    }
  }
  return order.flatMap((c) => {
    const list = c as T[];
    return list.length >= MIN_GROUP || list.length === 1 ? [list] : list.map((x) => [x]);
  });
}

/** A title cut to TITLE_MAX characters (the safety net: rules keep their parts short themselves). */
export function bounded(title: string): string {
  return title.length <= TITLE_MAX ? title : `${title.slice(0, TITLE_MAX - 1)}…`;
}

/**
 * `500 threads (a, b, c and 497 more) <rest>` within TITLE_MAX: fewer names, then none, when the
 * rest is long.
 */
export function groupTitle(threads: readonly ThreadStack[], rest: string): string {
  const names = threads.map(who);
  for (let k = Math.min(3, names.length); k >= 0; k--) {
    const title = `${threads.length} threads${k > 0 ? ` (${someNames(names, k)})` : ''} ${rest}`;
    if (title.length <= TITLE_MAX) return title;
  }
  return bounded(`${threads.length} threads ${rest}`);
}

/** The threads of a group for a finding's detail: `The 500 threads: a, b, … and 480 more.` */
export function groupNames(threads: readonly ThreadStack[]): string {
  return `The ${threads.length} threads: ${someNames(threads.map(who), DETAIL_NAMES)}.`;
}

const PLURAL: Record<string, string> = { is: 'are', has: 'have', does: 'do' };

/** "waits to acquire x" → "wait to acquire x": a phrase said of one thread, said of several. */
export function plural(phrase: string): string {
  return phrase.replace(/^\S+/, (w) => PLURAL[w] ?? w.replace(/s$/, ''));
}

/** The fields a finding about a group adds: the first thread stands for it, all are listed. */
export function groupIds(threads: readonly ThreadStack[]): Pick<Finding, 'threadId' | 'threadIds'> {
  return { threadId: threads[0]!.id, ...(threads.length > 1 ? { threadIds: threads.map((t) => t.id) } : {}) };
}
