// What a reading of asyncio tasks says, in the findings' words: tasks piling up in one place, a
// pile growing between two readings, tasks that ended since the last one, tasks waiting on a future
// or primitive nothing else holds (nobody can complete it). With a dump of the same process, the
// idle-loop and blocked-loop findings name the tasks (withTasks).
import type { AsyncTask, AsyncioTasks, Finding, Frame } from '../model';
import { findingFrame } from '../findings/frames';
import { TITLE_MAX } from '../findings/groups';
import { someNames } from '../stacks/threadGroups';
import { clipName } from '../stacks/frameText';
import { standsAt } from '../stacks/standing';
import { count, groupTasks, groupTitle, placeName, summary, waitPhrase, type TaskGroup } from './taskGroups';

/** Tasks in one place from which a pile-up is a finding. */
export const PILEUP_MIN = 100;
/** New tasks in one place between two readings from which growth is a finding. */
export const GROWTH_MIN = 50;

const bounded = (s: string) => (s.length <= TITLE_MAX ? s : `${s.slice(0, TITLE_MAX - 1)}…`);
const names = (tasks: readonly AsyncTask[], max = 5) =>
  someNames(
    tasks.map((t) => t.name),
    max,
  );

function seconds(ms: number): string {
  const s = ms / 1000;
  return s >= 10 ? `${Math.round(s)} s` : `${Math.round(s * 10) / 10} s`;
}

function pileups(groups: readonly TaskGroup[]): Finding[] {
  return groups
    .filter((g) => g.tasks.length >= PILEUP_MIN && g.what !== 'running')
    .map((g) => ({
      severity: 'warning' as const,
      kind: 'asyncio-pileup',
      title: bounded(groupTitle(g)),
      detail:
        `${count(g.tasks.length)} tasks wait ${waitPhrase(g.what) || 'in the same place'} at ${placeName(g.at)}. ` +
        'Tasks piling up in one place are started faster than they finish: a periodic job whose runs outlast its interval, a producer outpacing its consumer, ' +
        'or a wait that never ends. Bound them (an asyncio.Semaphore, a queue with maxsize, skipping a run while the last is busy) and give the wait a timeout.' +
        (g.createdBy
          ? ` They are created by ${clipName(g.createdBy.function, 60)} at ${placeName(g.createdBy)}.`
          : ' Run the app in asyncio debug mode (PYTHONASYNCIODEBUG=1) to see where each task was created.'),
      frame: findingFrame(g.at),
    }));
}

function orphans(groups: readonly TaskGroup[]): Finding[] {
  const out: Finding[] = [];
  for (const g of groups) {
    const lonely = g.tasks.filter((t) => t.awaits?.orphan);
    if (lonely.length === 0) continue;
    const first = lonely[0]!;
    const holder = first.awaits?.holder ? clipName(first.awaits.holder) : undefined;
    const thing = holder ? `${/^[AEIOU]/i.test(holder) ? 'an' : 'a'} ${holder}` : 'a future';
    const who = lonely.length === 1 ? clipName(first.name) : `${count(lonely.length)} tasks (${names(lonely, 3)})`;
    out.push({
      severity: 'warning',
      kind: 'asyncio-orphan-wait',
      title: bounded(`${who} ${lonely.length === 1 ? 'waits' : 'wait'} for ${thing} nothing else holds, at ${placeName(g.at)}`),
      detail:
        `Only the waiting task${lonely.length === 1 ? '' : 's'} hold${lonely.length === 1 ? 's' : ''} this ${first.awaits?.holder ?? 'future'}: no other task, callback or timer has a reference to it, ` +
        'so nothing can complete it and the wait never ends (only a cancel does). Keep it where the code that should set it can reach it, or give the wait a timeout (asyncio.timeout, asyncio.wait_for).',
      frame: findingFrame(g.at),
    });
  }
  return out;
}

/** What changed between two readings of the same process: groups that grew, tasks that ended. */
export function growthFindings(previous: AsyncioTasks, now: AsyncioTasks): Finding[] {
  const out: Finding[] = [];
  const span = Date.parse(now.takenAt) - Date.parse(previous.takenAt);
  const after = seconds(Math.max(0, span));
  const before = new Set(previous.tasks.map((t) => t.id));
  const nowIds = new Set(now.tasks.map((t) => t.id));
  // A group grew by the tasks in it that the earlier reading did not have.
  for (const g of groupTasks(now.tasks)) {
    const fresh = g.tasks.filter((t) => !before.has(t.id)).length;
    if (fresh < GROWTH_MIN) continue;
    out.push({
      severity: 'warning',
      kind: 'asyncio-growth',
      title: bounded(`+${count(fresh)} tasks in ${after} at ${placeName(g.at)}${g.createdBy ? ` ← created by ${clipName(g.createdBy.function, 60)}` : ''}`),
      detail:
        `${count(fresh)} tasks started waiting ${waitPhrase(g.what) || 'here'} since the reading ${after} earlier (${count(g.tasks.length)} now). ` +
        'A pile that keeps growing is started faster than it drains; left alone it exhausts memory, connections or the executor it waits for.',
      frame: findingFrame(g.at),
    });
  }
  const ended = previous.tasks.filter((t) => !nowIds.has(t.id));
  if (ended.length > 0 && previous.tasks.length > 0) {
    // Named tasks first: a task someone named is one someone expects to live.
    const named = ended.filter((t) => !/^Task-\d+$/.test(t.name));
    const shown = named.length ? named : ended;
    out.push({
      severity: 'info',
      kind: 'asyncio-ended',
      title: bounded(`${count(ended.length)} task${ended.length === 1 ? '' : 's'} ended in ${after}${named.length ? `: ${names(named, 3)}` : ''}`),
      detail: `Tasks of the earlier reading that are gone now (done, failed or cancelled): ${names(shown, 10)}. A long-running task that ended unexpectedly is a task whose exception nobody awaited: keep a reference and await it, or add a done callback that logs its exception.`,
      ...(ended[0]!.frames[0] ? { frame: findingFrame(taskFrame(ended[0]!)) } : {}),
    });
  }
  return out;
}

/**
 * A loop's current task that stayed at the same frames while it was read: it has not yielded, so
 * its loop runs nothing else (what a dump says from the thread's stack, said from the tasks alone).
 */
function blockedLoops(now: AsyncioTasks): Finding[] {
  return now.tasks
    .filter((t) => t.current && t.blockedMs !== undefined)
    .map((t) => {
      const others = now.tasks.length - 1;
      return {
        severity: 'warning' as const,
        kind: 'asyncio-blocked',
        title: bounded(
          `The asyncio event loop is blocked: task ${clipName(t.name)} has not yielded for at least ${seconds(t.blockedMs!)}, at ${placeName(taskFrame(t))}`,
        ),
        detail:
          `${clipName(t.name)} stayed at the same line while the tasks were read: it makes a synchronous call (or computes) without awaiting, and while it does the event loop runs nothing else` +
          `${others > 0 ? `: ${count(others)} other task${others === 1 ? '' : 's'} cannot run` : ''}. Use the async form of the call (await asyncio.sleep(…), an async client) or move it to a thread with await asyncio.to_thread(…). A dump (snag dump) shows the call itself.`,
        ...(taskFrame(t) ? { frame: findingFrame(taskFrame(t)) } : {}),
      };
    });
}

/** The findings of one reading (and, given the one before, what changed since). */
export function taskFindings(now: AsyncioTasks, previous?: AsyncioTasks): Finding[] {
  const groups = groupTasks(now.tasks);
  return [...blockedLoops(now), ...(previous ? growthFindings(previous, now) : []), ...pileups(groups), ...orphans(groups)];
}

/** The tasks ready to run that the loop does not run: their wait is over (a blocked loop starves them). */
export function starved(snapshot: AsyncioTasks): AsyncTask[] {
  return snapshot.tasks.filter((t) => !t.current && (t.awaits?.done || t.notStarted));
}

function largest(snapshot: AsyncioTasks, max = 3): string {
  return groupTasks(snapshot.tasks)
    .slice(0, max)
    .map((g) => groupTitle(g))
    .join('; ');
}

/**
 * A dump's findings told with its tasks: the idle loop names what the tasks wait for, the blocked
 * loop names its current task and the tasks it starves; the tasks' own findings follow.
 */
export function withTasks(findings: readonly Finding[], snapshot: AsyncioTasks, previous?: AsyncioTasks): Finding[] {
  if (!snapshot.asyncio) return [...findings];
  const out = findings.map((f) => {
    if (f.kind === 'asyncio-idle' && snapshot.tasks.length > 0) {
      return {
        ...f,
        title: bounded(`${f.title}; ${summary(snapshot, 2)}`),
        detail: `The event loop waits in select() for I/O or a timer: no task is running. ${summary(snapshot)}. Where they wait: ${largest(snapshot)}. If the program should be making progress, one of these waits never ends (the Tasks node shows each task's await chain).`,
      };
    }
    if (f.kind === 'asyncio-blocked') {
      const current = snapshot.tasks.find((t) => t.current);
      const waiting = starved(snapshot);
      const others = snapshot.tasks.filter((t) => !t.current);
      const ready = waiting.length ? `, ${count(waiting.length)} of them ready to run now (their wait is over): ${names(waiting)}` : '';
      const parts = [
        current ? `The blocking call runs in task ${clipName(current.name)}${current.frames[0] ? ` (${placeName(taskFrame(current))})` : ''}.` : '',
        others.length ? `${count(others.length)} other task${others.length === 1 ? '' : 's'} cannot run meanwhile${ready}.` : '',
      ].filter(Boolean);
      return { ...f, detail: `${f.detail ?? ''} ${parts.join(' ')}`.trim() };
    }
    return f;
  });
  // The dump's own blocked-loop finding (from the thread's stack) says it better than the tasks can.
  const fromStacks = findings.some((f) => f.kind === 'asyncio-blocked');
  return [...out, ...taskFindings(snapshot, previous).filter((f) => !fromStacks || f.kind !== 'asyncio-blocked')];
}

/** The frame of a task a person looks at: where it stands, by the one rule of markers and findings (stacks/standing.ts). */
export function taskFrame(t: AsyncTask): Frame | undefined {
  return standsAt(t.frames);
}
