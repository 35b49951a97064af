// The asyncio reader's report (one JSON document between marker lines) → AsyncioTasks. The report
// comes from a program reading a live process's memory: it is checked field by field, sizes are
// capped, and every frame is a plain Frame (shared by the tasks that wait at it, so mapping one maps
// them all). What each task waits in (`what`) is told from its coroutine frames here, in one place.
import { SnagError } from '../errors';
import type { AsyncTask, AsyncioTasks, Frame, TaskAwait } from '../model';
import { badOutput, parseToolJson, Shape } from '../validate/toolJson';
import { ASYNCIO_BEGIN, ASYNCIO_END } from './readerProgram';

export const TOOL = 'The asyncio task reader';
/** Far more than any real program has; a report past it is not one to trust. */
const MAX_TASKS = 500_000;
const MAX_FRAMES = 1_000_000;
const MAX_TEXT = 4096;

/** A failure the reader itself reported: its code and message. */
export interface ReaderError {
  code: string;
  message: string;
}

export type ReaderReport = { ok: true; tasks: AsyncioTasks; elapsedMs?: number; reads?: number } | { ok: false; error: ReaderError; pythonVersion?: string };

/** The document between the markers, or undefined when the output has none (the reader did not run). */
export function reportText(stdout: string): string | undefined {
  const begin = stdout.indexOf(ASYNCIO_BEGIN);
  if (begin < 0) return undefined;
  const end = stdout.indexOf(ASYNCIO_END, begin);
  if (end < 0) throw badOutput(TOOL, 'its report breaks off before the end (cut short)');
  return stdout.slice(begin + ASYNCIO_BEGIN.length, end);
}

const text = (s: string) => (s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT - 1)}…` : s);
const HEX = /^0x[0-9a-f]{1,16}$/;

export function parseReport(json: string, pid: number, takenAt: string, durationMs: number): ReaderReport {
  const shape = new Shape(TOOL, '');
  const doc = shape.object(parseToolJson(TOOL, json), 'the report');
  const pythonVersion = shape.optionalString(doc.pythonVersion, 'pythonVersion');
  if (doc.error !== undefined) {
    const e = shape.object(doc.error, 'error');
    return { ok: false, error: { code: shape.string(e.code, 'error.code'), message: text(shape.string(e.message, 'error.message')) }, pythonVersion };
  }
  const frameRows = shape.list(doc.frames ?? [], 'frames');
  if (frameRows.length > MAX_FRAMES) throw badOutput(TOOL, `it lists ${frameRows.length} frames`);
  const frames: Frame[] = frameRows.map((row, i) => {
    const r = shape.list(row, `frames[${i}]`);
    const line = shape.number(r[2], `frames[${i}][2]`);
    return {
      function: text(shape.string(r[1], `frames[${i}][1]`)),
      file: text(shape.string(r[0], `frames[${i}][0]`)),
      line: Math.max(0, Math.trunc(line)),
      native: false,
      isUserCode: false,
    };
  });
  const frameAt = (v: unknown, field: string): Frame => {
    const i = shape.number(v, field);
    const f = frames[i];
    if (!f) throw badOutput(TOOL, `${field} names frame ${i}, which it does not list`);
    return f;
  };
  const id = (v: unknown, field: string): string => {
    const s = shape.string(v, field);
    if (!HEX.test(s)) throw badOutput(TOOL, `${field} should be an address, is "${text(s).slice(0, 40)}"`);
    return s;
  };
  const rows = shape.list(doc.tasks ?? [], 'tasks');
  if (rows.length > MAX_TASKS) throw badOutput(TOOL, `it lists ${rows.length} tasks`);
  const tasks: AsyncTask[] = rows.map((row, i) => {
    const at = shape.at(`tasks[${i}]`);
    const t = at.object(row, 'task');
    const task: AsyncTask = {
      id: id(t.id, 'id'),
      name: text(at.optionalString(t.name, 'name') ?? '(unnamed)'),
      frames: at.list(t.frames ?? [], 'frames').map((f, j) => frameAt(f, `frames[${j}]`)),
    };
    const created = at.list(t.created ?? t.origin ?? [], 'created').map((f, j) => frameAt(f, `created[${j}]`));
    if (created.length) task.createdAt = created;
    if (at.flag(t.current)) task.current = true;
    const blockedMs = at.optionalNumber(t.blockedMs, 'blockedMs');
    if (task.current && blockedMs !== undefined && blockedMs >= 0) task.blockedMs = Math.trunc(blockedMs);
    if (at.flag(t.eager)) task.eager = true;
    if (at.flag(t.pure)) task.pure = true;
    if (at.flag(t.notStarted)) task.notStarted = true;
    const type = at.optionalString(t.type, 'type');
    if (type) task.type = text(type);
    const loop = at.optionalString(t.loop, 'loop');
    if (loop) task.loop = id(loop, 'loop');
    if (t.awaits !== undefined) task.awaits = parseAwait(at.at(`tasks[${i}].awaits`), t.awaits, id, task.frames, frameAt);
    return task;
  });
  const current = shape.object(doc.current ?? {}, 'current');
  const loopIds = shape.list(doc.loops ?? [], 'loops').map((l, i) => id(l, `loops[${i}]`));
  for (const l of Object.keys(current)) if (!loopIds.includes(l)) loopIds.push(id(l, 'current'));
  const loops = loopIds.map((l) => (current[l] !== undefined ? { id: l, current: id(current[l], `current[${l}]`) } : { id: l }));
  const errors = shape.list(doc.errors ?? [], 'errors').map((e, i) => text(shape.string(e, `errors[${i}]`)));
  const unreadable = Math.max(0, Math.trunc(shape.optionalNumber(doc.unreadable, 'unreadable') ?? 0));
  const notes: string[] = [];
  if (unreadable)
    notes.push(`${unreadable} task${unreadable === 1 ? '' : 's'} changed while being read and could not be read${errors.length ? ` (${errors[0]})` : ''}.`);
  const pure = Math.max(0, Math.trunc(shape.optionalNumber(doc.pureTasks, 'pureTasks') ?? 0));
  if (pure)
    notes.push(
      `${pure} task${pure === 1 ? ' is' : 's are'} asyncio's pure-Python task${pure === 1 ? '' : 's'} (asyncio.tasks._PyTask) whose attributes the reader could not find: ${pure === 1 ? 'it is' : 'they are'} not listed.`,
    );
  const truncated = shape.flag(doc.truncated);
  if (truncated) notes.push(`Not every task is listed: the reader stopped at its limit (${tasks.length} tasks) or ran out of time.`);
  return {
    ok: true,
    tasks: {
      pid,
      ...(pythonVersion ? { pythonVersion } : {}),
      takenAt,
      durationMs,
      asyncio: shape.flag(doc.asyncio),
      tasks,
      loops,
      unreadable,
      ...(truncated ? { truncated } : {}),
      ...(notes.length ? { notes } : {}),
    },
    elapsedMs: shape.optionalNumber(doc.elapsedMs, 'elapsedMs'),
    reads: shape.optionalNumber(doc.reads, 'reads'),
  };
}

function parseAwait(
  at: Shape,
  v: unknown,
  id: (v: unknown, field: string) => string,
  frames: readonly Frame[],
  frameAt: (v: unknown, field: string) => Frame,
): TaskAwait {
  const a = at.object(v, 'awaits');
  const kinds = ['future', 'task', 'gather', 'taskgroup', 'other'] as const;
  const kind = at.string(a.kind, 'kind');
  if (!(kinds as readonly string[]).includes(kind)) throw badOutput(TOOL, `an awaitable's kind is "${text(kind).slice(0, 40)}"`);
  const out: TaskAwait = { kind: kind as TaskAwait['kind'], id: id(a.id, 'id') };
  const type = at.optionalString(a.type, 'type');
  if (type) out.type = text(type);
  const state = at.optionalString(a.state, 'state');
  if (state && state !== 'pending') out.done = true;
  if (a.children !== undefined) out.children = at.list(a.children, 'children').map((c, i) => id(c, `children[${i}]`));
  const delay = at.optionalNumber(a.delay, 'delay');
  if (delay !== undefined) out.delay = delay;
  if (at.flag(a.orphan)) out.orphan = true;
  const holder = at.optionalString(a.holder, 'holder');
  if (holder) out.holder = text(holder);
  if (at.flag(a.shield)) out.shield = true;
  if (a.inner !== undefined) out.inner = id(a.inner, 'inner');
  if (at.optionalString(a.innerKind, 'innerKind') === 'future') out.innerIsFuture = true;
  const created = at.list(a.created ?? [], 'created').map((f, j) => frameAt(f, `created[${j}]`));
  if (created.length) out.createdAt = created;
  const what = waitKind(frames);
  if (what) out.what = what;
  return out;
}

/** asyncio's own waits, by the function (3.11+: qualified) in the library file the innermost coroutine runs. */
const WAITS: readonly { file: RegExp; names: RegExp; what: string }[] = [
  { file: /asyncio\/tasks\.py$/, names: /^sleep$/, what: 'sleep' },
  { file: /asyncio\/tasks\.py$/, names: /^wait_for$/, what: 'wait_for' },
  { file: /asyncio\/tasks\.py$/, names: /^(_wait|wait)$/, what: 'wait' },
  { file: /asyncio\/tasks\.py$/, names: /(^|\.)(_wait_for_one|as_completed)$/, what: 'as_completed' },
  { file: /asyncio\/locks\.py$/, names: /^(Event\.)?wait$/, what: 'event' },
  { file: /asyncio\/locks\.py$/, names: /^(Lock\.)?acquire$/, what: 'lock' },
  { file: /asyncio\/locks\.py$/, names: /^Condition\.wait(_for)?$/, what: 'condition' },
  { file: /asyncio\/locks\.py$/, names: /^(Bounded)?Semaphore\.acquire$/, what: 'semaphore' },
  { file: /asyncio\/locks\.py$/, names: /^Barrier\./, what: 'barrier' },
  { file: /asyncio\/queues\.py$/, names: /^(Queue\.)?get$/, what: 'queue-get' },
  { file: /asyncio\/queues\.py$/, names: /^(Queue\.)?put$/, what: 'queue-put' },
  { file: /asyncio\/queues\.py$/, names: /^(Queue\.)?join$/, what: 'queue-join' },
  { file: /asyncio\/streams\.py$/, names: /(^|\.)(drain|_drain_helper)$/, what: 'stream-write' },
  { file: /asyncio\/streams\.py$/, names: /(^|\.)(_wait_for_data|read|readline|readexactly|readuntil)$/, what: 'stream-read' },
  { file: /asyncio\/threads\.py$/, names: /^to_thread$/, what: 'thread' },
  { file: /asyncio\/taskgroups\.py$/, names: /(^|\.)(__aexit__|_aexit)$/, what: 'taskgroup' },
  { file: /asyncio\/(base_events|selector_events)\.py$/, names: /(^|\.)sock_(recv|recv_into|accept|connect|sendall)/, what: 'socket' },
  { file: /asyncio\/base_events\.py$/, names: /(^|\.)(create_connection|_create_connection_transport)$/, what: 'connect' },
];

/**
 * What the innermost asyncio-library frame says the task waits in (the first rule matching from the
 * inside out; a lock's frame sits inside `__aenter__`, a condition's inside its lock's).
 */
export function waitKind(frames: readonly Frame[]): string | undefined {
  for (const f of frames) {
    const file = f.file.replace(/\\/g, '/');
    if (!file.includes('asyncio/')) return undefined;
    const rule = WAITS.find((w) => w.file.test(file) && w.names.test(f.function));
    if (rule) return rule.what;
  }
  return undefined;
}

/** The reader's own failure as one SnagError: what failed, why, what to do. */
export function readerError(e: ReaderError, pid: number, where: string, ptraceAdvice: string): SnagError {
  switch (e.code) {
    case 'permission':
      return new SnagError(
        'permission-denied',
        `Reading the asyncio tasks of process ${pid} on ${where} was refused (${e.message}). The reader reads the process's memory as py-spy does and needs the same rights: ${ptraceAdvice}.`,
        ['ptrace-help'],
      );
    case 'gone':
      return new SnagError('process-gone', `Process ${pid} is gone (${e.message}).`, ['refresh-processes']);
    case 'exited':
      return new SnagError('process-gone', `Process ${pid} exited while its tasks were read.`, ['refresh-processes']);
    case 'not-python':
      return new SnagError('not-python', `Process ${pid} on ${where} runs no CPython interpreter the asyncio reader can find: ${e.message}.`);
    case 'unsupported':
      return new SnagError('unsupported-python', `Snag cannot read the asyncio tasks of process ${pid}: ${e.message}.`);
    default:
      return new SnagError('tool-failed', `${TOOL} could not read process ${pid} on ${where}: ${e.message}.`, ['show-log']);
  }
}
