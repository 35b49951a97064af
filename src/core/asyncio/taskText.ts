// A reading of asyncio tasks as text (the CLI, a dump's text), Markdown (Copy as Markdown) and the
// documented JSON of `snag tasks --json`. Tasks waiting alike are one group: its await chain once,
// its tasks' names listed. Names and paths come from the target: every text line is neutralised,
// Markdown escaped and fenced, JSON keeps them exact.
import type { AsyncTask, AsyncioTasks, Frame, TaskAwait } from '../model';
import { standsAt } from '../stacks/standing';
import { someNames } from '../stacks/threadGroups';
import { codeBlock, escapeMarkdown } from '../text/markdown';
import { safeText } from '../text/safeText';
import { count, creationFrame, groupTasks, groupTitle, placeName, summary, type TaskGroup } from './taskGroups';

/** Names a group lists before "and N more". */
const LISTED = 8;
/** Groups shown before "N more groups" (the JSON has them all). */
export const SHOWN_GROUPS = 50;

function location(f: Frame): string {
  const file = f.file.slice(f.file.replace(/\\/g, '/').lastIndexOf('/') + 1) || f.file;
  return `${file}:${f.line}`;
}

/** `12 tasks · Python 3.12.1 · read in 15 ms` */
export function tasksHeadline(s: AsyncioTasks): string {
  if (!s.asyncio) return `Process ${s.pid} has not imported asyncio: no tasks.`;
  return `asyncio: ${summary(s)}${s.pythonVersion ? ` · Python ${s.pythonVersion}` : ''} · read in ${s.durationMs} ms`;
}

/** `1010–1021`, or `1010` when every value is the same. */
function span(values: readonly number[]): string {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo === hi ? String(lo) : `${lo}–${hi}`;
}

/**
 * What a task, or every task of a group, awaits at the end of its chain, for a line under the
 * chain. For a group, only what all its tasks share is said as theirs: sleeps of different lengths
 * are a range, gathers of different tasks are "each awaits a gather of 2 tasks".
 */
export function awaitsLine(who: AsyncTask | TaskGroup, byId: ReadonlyMap<string, AsyncTask>): string | undefined {
  const tasks = 'tasks' in who ? who.tasks : [who];
  const a = tasks[0]?.awaits;
  if (!a) return undefined;
  const waits = tasks.map((t) => t.awaits).filter((x): x is TaskAwait => x !== undefined);
  const one = tasks.length === 1;
  const shared = (f: (x: TaskAwait) => unknown) => waits.length === tasks.length && waits.every((x) => f(x) === f(a));
  const name = (id: string) => byId.get(id)?.name ?? id;
  const parts: string[] = [];
  if (a.kind === 'task') parts.push(one || shared((x) => x.id) ? `awaits task ${name(a.id)}` : 'each awaits another task');
  else if ((a.kind === 'gather' || a.kind === 'taskgroup') && a.children?.length) {
    const what = a.kind === 'gather' ? 'a gather' : 'a TaskGroup';
    if (one || shared((x) => x.id)) parts.push(`awaits ${what} of ${someNames(a.children.map(name), 5)}`);
    else {
      const sizes = waits.map((x) => x.children?.length ?? 0);
      parts.push(`each awaits ${what} of ${span(sizes)} task${Math.max(...sizes) === 1 ? '' : 's'}`);
    }
  } else if (a.shield) {
    const inner = a.inner === undefined ? 'what it shields' : a.innerIsFuture ? 'a Future' : `task ${name(a.inner)}`;
    parts.push(one || shared((x) => x.inner) ? `waits in shield for ${inner}` : `each waits in shield for ${a.innerIsFuture ? 'a Future' : 'a task'}`);
  } else if (a.inner !== undefined && a.what === 'wait_for') {
    parts.push(one ? `waits in wait_for for task ${name(a.inner)}` : 'each waits in wait_for for a task of its own');
  } else if (a.kind === 'future' && !a.what && !a.type) {
    const created = a.createdAt ? creationFrame(a.createdAt) : undefined;
    parts.push(
      `waits for a Future${created && (one || shared((x) => x.createdAt && creationFrame(x.createdAt) === created)) ? ` created at ${placeName(created)}` : ''}`,
    );
  } else if (a.type && !INTERNAL_TYPE.test(a.type)) parts.push(`awaits ${a.type}`);
  const delays = waits.map((x) => x.delay).filter((d): d is number => d !== undefined);
  if (delays.length) parts.push(`sleeps ${span(delays)} s`);
  if (a.done) parts.push('its wait is over: ready to run');
  const orphans = waits.filter((x) => x.orphan).length;
  if (orphans === tasks.length) parts.push(`nothing else holds the ${a.holder ?? 'future'}: nothing can complete it`);
  else if (orphans) parts.push(`${count(orphans)} of them wait on what nothing else holds: nothing can complete it`);
  return parts.length ? parts.join('; ') : undefined;
}

/** asyncio's own C objects (`_asyncio.FutureIter`): how a wait is built, not what it waits for. */
const INTERNAL_TYPE = /^_asyncio\./;

function chainLines(g: TaskGroup): { text: string; stands: boolean }[] {
  const t = g.tasks[0]!;
  const at = standsAt(t.frames);
  const lines = t.frames.map((f) => ({ text: `${f.function} (${f.localFile ? `${f.localFile}:${f.line}` : location(f)})`, stands: f === at }));
  if (t.createdAt?.length) {
    lines.push({
      text: `created at: ${t.createdAt
        .slice(0, 4)
        .map((f) => `${f.function} (${location(f)})`)
        .join(' ← ')}`,
      stands: false,
    });
  }
  return lines;
}

function groupNames(g: TaskGroup): string {
  return someNames(
    g.tasks.map((t) => t.name),
    LISTED,
  );
}

export interface TaskTextOptions {
  highlight?: (s: string) => string;
}

/** The tasks section of a dump's text, or the whole of `snag tasks`. */
export function tasksToText(s: AsyncioTasks, o: TaskTextOptions = {}): string[] {
  const hl = o.highlight ?? ((x: string) => x);
  const lines: string[] = [safeText(tasksHeadline(s))];
  for (const n of s.notes ?? []) lines.push(safeText(`note: ${n}`));
  const byId = new Map(s.tasks.map((t) => [t.id, t]));
  const groups = groupTasks(s.tasks);
  for (const g of groups.slice(0, SHOWN_GROUPS)) {
    lines.push('', safeText(groupTitle(g)));
    for (const l of chainLines(g)) lines.push(l.stands ? `  ▶ ${hl(safeText(l.text))}` : safeText(`    ${l.text}`));
    const awaits = awaitsLine(g, byId);
    if (awaits) lines.push(safeText(`    → ${awaits}`));
    if (g.tasks.length > 1) lines.push(safeText(`    tasks: ${groupNames(g)}`));
  }
  if (groups.length > SHOWN_GROUPS) lines.push('', `… ${count(groups.length - SHOWN_GROUPS)} more groups (--json has every task)`);
  return lines;
}

export function tasksToMarkdown(s: AsyncioTasks): string {
  const out = [`#### ${escapeMarkdown(tasksHeadline(s))}`, ''];
  const byId = new Map(s.tasks.map((t) => [t.id, t]));
  const groups = groupTasks(s.tasks);
  for (const g of groups.slice(0, SHOWN_GROUPS)) {
    const body = chainLines(g).map((l) => `${l.stands ? '▶ ' : '  '}${l.text}`);
    const awaits = awaitsLine(g, byId);
    if (awaits) body.push(`  → ${awaits}`);
    out.push(`**${escapeMarkdown(groupTitle(g))}**${g.tasks.length > 1 ? ` — ${escapeMarkdown(groupNames(g))}` : ''}`, '', codeBlock(body), '');
  }
  if (groups.length > SHOWN_GROUPS) out.push(`… ${count(groups.length - SHOWN_GROUPS)} more groups`, '');
  return out.join('\n');
}

function frameJson(f: Frame): unknown {
  return {
    function: f.function,
    file: f.file,
    line: f.line,
    ...(f.localFile ? { localFile: f.localFile } : {}),
    isUserCode: f.isUserCode,
    ...(f.mapping ? { mapping: f.mapping } : {}),
  };
}

/** The documented JSON of `snag tasks --json` (and a dump's `asyncio`; see README). */
export function tasksToJson(s: AsyncioTasks): unknown {
  return {
    pid: s.pid,
    ...(s.pythonVersion ? { pythonVersion: s.pythonVersion } : {}),
    takenAt: s.takenAt,
    durationMs: s.durationMs,
    asyncio: s.asyncio,
    loops: s.loops,
    unreadable: s.unreadable,
    ...(s.truncated ? { truncated: true } : {}),
    ...(s.notes?.length ? { notes: s.notes } : {}),
    groups: groupTasks(s.tasks).map((g) => ({
      title: groupTitle(g),
      count: g.tasks.length,
      ...(g.what ? { what: g.what } : {}),
      ...(g.at ? { at: frameJson(g.at) } : {}),
      ...(g.createdBy ? { createdBy: frameJson(g.createdBy) } : {}),
      tasks: g.tasks.map((t) => t.id),
    })),
    tasks: s.tasks.map((t) => ({
      ...t,
      frames: t.frames.map(frameJson),
      ...(t.createdAt ? { createdAt: t.createdAt.map(frameJson) } : {}),
    })),
  };
}
