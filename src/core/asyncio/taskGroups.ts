// Tasks that wait in the same place, taken as one: 4,812 scan tasks waiting at scan.py:88 are one
// fact. A group is the tasks with the same coroutine frames from the innermost one through the
// innermost user frame, the same kind of wait and the same creation site; the findings, the CLI,
// the Stacks view and Copy as Markdown all group with groupTasks(), so they agree.
import type { AsyncTask, AsyncioTasks, Frame } from '../model';
import { clipName } from '../stacks/frameText';
import { standsAt } from '../stacks/standing';

export interface TaskGroup {
  /** In reading order; the first stands for the group (its chain is the one shown). */
  tasks: AsyncTask[];
  /** Where they wait: the first task's innermost user frame, else its innermost frame with a line. */
  at?: Frame;
  /** What they wait in (`sleep`, `event`, `lock`…), as TaskAwait.what; `running` for the current task. */
  what?: string;
  /** Where they were created, when the app runs in asyncio debug mode: the innermost user frame of the creation stack. */
  createdBy?: Frame;
}

function frameKey(f: Frame): string {
  return `${f.function}\0${f.file}\0${f.line}`;
}

/** The creation frame a person means by "created by": the innermost user frame, else the innermost outside asyncio itself. */
export function creationSite(t: AsyncTask): Frame | undefined {
  return creationFrame(t.createdAt ?? []);
}

/** The same rule over a creation stack (innermost first), for the rows that show one. */
export function creationFrame(frames: readonly Frame[]): Frame | undefined {
  return frames.find((f) => f.isUserCode) ?? frames.find((f) => !/[/\\]asyncio[/\\]/.test(f.file)) ?? frames[0];
}

/** What a task waits in, for grouping and titles. */
export function waitOf(t: AsyncTask): string | undefined {
  if (t.current) return 'running';
  if (t.notStarted) return 'not-started';
  if (t.awaits?.done) return 'ready';
  return t.awaits?.what ?? t.awaits?.kind;
}

function placeKey(t: AsyncTask): string {
  const user = t.frames.findIndex((f) => f.isUserCode);
  const upTo = user < 0 ? t.frames.length : user + 1;
  const created = creationSite(t);
  return [waitOf(t) ?? '', created ? frameKey(created) : '', ...t.frames.slice(0, upTo).map(frameKey)].join('\n');
}

/** Groups, the largest first (ties in reading order). */
export function groupTasks(tasks: readonly AsyncTask[]): TaskGroup[] {
  const byKey = new Map<string, AsyncTask[]>();
  for (const t of tasks) {
    const key = placeKey(t);
    const list = byKey.get(key);
    if (list) list.push(t);
    else byKey.set(key, [t]);
  }
  return [...byKey.values()]
    .map((list) => ({ tasks: list, at: standsAt(list[0]!.frames), what: waitOf(list[0]!), createdBy: creationSite(list[0]!) }))
    .sort((a, b) => b.tasks.length - a.tasks.length);
}

/** `scan.py:88 in scan_folder`: how task titles name a place. */
export function placeName(f: Frame | undefined): string {
  if (!f) return 'an unknown place';
  const file = f.file.slice(f.file.replace(/\\/g, '/').lastIndexOf('/') + 1) || f.file;
  return `${clipName(file, 60)}:${f.line} in ${clipName(f.function, 60)}`;
}

const WHAT: Record<string, string> = {
  sleep: 'in asyncio.sleep',
  event: 'for an Event',
  lock: 'for a Lock',
  condition: 'for a Condition',
  semaphore: 'for a Semaphore',
  barrier: 'at a Barrier',
  'queue-get': 'for a queue item',
  'queue-put': 'for room in a queue',
  'queue-join': 'for a queue to be done',
  'stream-read': 'for data on a stream',
  'stream-write': 'for a stream to drain',
  socket: 'on a socket',
  connect: 'for a connection',
  thread: 'for a thread (asyncio.to_thread)',
  wait_for: 'in asyncio.wait_for',
  wait: 'in asyncio.wait',
  as_completed: 'in asyncio.as_completed',
  taskgroup: 'for a TaskGroup',
  gather: 'for a gather',
  task: 'for another task',
  future: 'for a future',
  other: 'for an awaitable',
  ready: 'to run (its wait is over)',
  'not-started': 'to start',
};

/** "for an Event", "in asyncio.sleep": a wait said after "wait". */
export function waitPhrase(what: string | undefined): string {
  return what ? (WHAT[what] ?? `(${what})`) : '';
}

/** Thousands with separators: 4812 → "4,812". */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * `4,812 tasks wait at scan.py:88 in scan_folder ← created by periodic_scan at scan.py:40`; the
 * current task `runs at …`.
 */
export function groupTitle(g: TaskGroup): string {
  const n = g.tasks.length;
  const who = n === 1 ? `${clipName(g.tasks[0]!.name)}` : `${count(n)} tasks`;
  const verb = g.what === 'running' ? (n === 1 ? 'runs' : 'run') : n === 1 ? 'waits' : 'wait';
  const phrase = g.what && g.what !== 'running' && g.what !== 'future' ? ` ${waitPhrase(g.what)}` : '';
  const created = g.createdBy ? ` ← created by ${clipName(g.createdBy.function, 60)} at ${placeName(g.createdBy).replace(/ in .*$/, '')}` : '';
  return `${who} ${verb}${phrase} at ${placeName(g.at)}${created}`;
}

/** A reading's tasks counted by what they wait in: "12 tasks: 7 in asyncio.sleep, 2 for an Event, …". */
export function summary(snapshot: AsyncioTasks, max = 4): string {
  const counts = new Map<string, number>();
  for (const t of snapshot.tasks) {
    const w = waitOf(t) ?? 'other';
    counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  const parts = [...counts].sort((a, b) => b[1] - a[1]);
  const shown = parts.slice(0, max).map(([w, n]) => (w === 'running' ? `${count(n)} running` : `${count(n)} waiting ${waitPhrase(w)}`));
  if (parts.length > max) shown.push(`${count(parts.slice(max).reduce((s, [, n]) => s + n, 0))} other`);
  return `${count(snapshot.tasks.length)} task${snapshot.tasks.length === 1 ? '' : 's'}${shown.length ? `: ${shown.join(', ')}` : ''}`;
}
