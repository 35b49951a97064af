// The py-spy backend: `py-spy dump --json` run where the process lives (through the target's
// runner), parsed into a StackDump. Failures become one actionable SnagError. A process with a
// thread blocked writing to a pipe is read without pausing it (a pause would cut that write short).
import type { DumpOptions, StackDump, ThreadStack } from '../model';
import type { Target } from '../targets/target';
import { guardRemark, pipeWriterNote } from '../guard/guardNotes';
import { resultOf, runGuarded, type GuardedTool } from '../guard/runGuarded';
import { throughWays } from './throughWays';
import { placeFor } from '../targets/targetPlace';
import { SnagError, withRemark } from '../errors';
import { RunError } from '../run';
import type { Backend, DumpRequest } from './backend';
import { pyspyError } from './pyspyErrors';
import { goneDuringRead } from './toolFailure';
import { parsePySpyDump } from './pyspyParse';
import { checkPid } from '../validate/pid';
import { DUMP_OUTPUT_MAX_BYTES } from '../validate/limits';

export const DUMP_TIMEOUT_MS = 20_000;
/** A dump of thousands of deep threads is a few MB; more is not a dump. */
export const PYSPY_MAX_BYTES = DUMP_OUTPUT_MAX_BYTES;

/** The py-spy argv for one dump (a tool call is data; the runner decides where it runs). */
export function pyspyDumpArgv(pyspy: string, pid: number, o: DumpOptions): string[] {
  const argv = [pyspy, 'dump', '--pid', String(checkPid(pid)), '--json'];
  if (o.native) argv.push('--native');
  if (o.locals) argv.push('--locals');
  if (o.nonblocking) argv.push('--nonblocking');
  return argv;
}

/** Which py-spy to use on a target (a local path, a path inside a container, on a remote host). */
export type PySpyLocator = (target: Target, signal?: AbortSignal) => Promise<string>;

export class PySpyBackend implements Backend {
  readonly id = 'py-spy' as const;
  readonly locate: PySpyLocator;
  constructor(locate: PySpyLocator) {
    // A target that has its own py-spy (an ssh host) answers for itself, also for containers on it.
    this.locate = (target, signal) => target.locatePySpy?.(signal) ?? locate(target, signal);
  }

  async dump(target: Target, pid: number, req: DumpRequest): Promise<StackDump> {
    if (target.waysIn) return this.dumpThroughWays(target, target.waysIn.bind(target), pid, req);
    const pyspy = await this.locate(target, req.signal);
    const started = Date.now();
    const place = await placeFor(target, pid, req.signal);
    let run = await runGuarded(place, pyspyDumpTool(pyspy, place.pid, req));
    // Locals read only for the rules and the read failed: they are not worth the dump, read without them.
    if (RunError.is(run.failure, 'exit') && !req.locals && run.failure.argv.includes('--locals') && run.outcome !== 'gone')
      run = await runGuarded(place, pyspyDumpTool(pyspy, place.pid, { ...req, localsForFindings: false }));
    const remark = guardRemark(run.outcome, pid, 'py-spy', req.operation ?? 'dump');
    // The process exited during the read (its pid may name another process now): no other reader may try it.
    if (run.outcome === 'gone' && run.existed && run.failure !== undefined && !SnagError.is(run.failure)) throw goneDuringRead('py-spy', pid);
    if (run.failure !== undefined || !run.result) throw withRemark(pyspyError(run.failure, pid, place.where), remark);
    const notes = [...(run.pipeWriters.length ? [pipeWriterNote(run.pipeWriters)] : []), ...nativeLeftOut(run.pipeWriters, req), ...(remark ? [remark] : [])];
    const threads = markPipeWriters(parsePySpyDump(run.result.stdout, place.pid), run.pipeWriters);
    if (run.outcome === 'gone' && threads.length === 0) throw goneDuringRead('py-spy', pid);
    return {
      pid,
      backend: 'py-spy',
      takenAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      target: target.ref,
      threads,
      findings: [],
      ...(notes.length ? { notes } : {}),
    };
  }

  /** A target with several ways in (containers): each tried in turn, each run under the same guard. */
  private async dumpThroughWays(target: Target, waysIn: NonNullable<Target['waysIn']>, pid: number, req: DumpRequest): Promise<StackDump> {
    const plan = await waysIn(pid, { signal: req.signal, localTool: (t, signal) => this.locate(t, signal), toolError: pyspyError });
    const read = await throughWays(plan, async (way, choice) => {
      const started = Date.now();
      const run = await runGuarded(
        way.place,
        pyspyDumpTool(way.toolPath, way.place.pid, { ...req, timeoutMs: (req.timeoutMs ?? DUMP_TIMEOUT_MS) + (way.extraMs ?? 0) }),
      );
      if (run.pipeWriters.length) choice.notes.push(pipeWriterNote(run.pipeWriters), ...nativeLeftOut(run.pipeWriters, req));
      choice.notes.push(...run.notes);
      const remark = guardRemark(run.outcome, pid, 'py-spy', req.operation ?? 'dump');
      if (remark) choice.notes.push(remark);
      const threads = markPipeWriters(parsePySpyDump(resultOf(run).stdout, way.place.pid), run.pipeWriters);
      way.refine?.(threads, run.tasksBefore);
      return { threads, started };
    });
    const { threads, started } = read.value;
    return {
      pid,
      backend: 'py-spy',
      takenAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      target: target.ref,
      method: read.choice.id,
      threads,
      findings: [],
      notes: [...(read.way.describe?.() ?? []), ...read.choice.notes, ...read.failedBefore],
    };
  }
}

/** Native frames asked for but left out: the read could not pause the process. */
/** The threads the guard found blocked writing to a pipe, by their kernel thread id. */
function markPipeWriters(threads: ThreadStack[], writers: readonly number[]): ThreadStack[] {
  if (!writers.length) return threads;
  // Without kernel thread ids (older Pythons' dumps), only a single thread can be told.
  const only = threads.length === 1 && threads[0]!.nativeId === undefined;
  return threads.map((t) => ((t.nativeId !== undefined && writers.includes(t.nativeId)) || only ? { ...t, writesToPipe: true } : t));
}

function nativeLeftOut(pipeWriters: readonly number[], req: DumpRequest): string[] {
  return pipeWriters.length && req.native && !req.nonblocking
    ? ['Native frames are left out of this dump: py-spy reads them only while pausing the process.']
    : [];
}

/**
 * Up to this many threads a dump reads the locals the finding rules may ask for in the same read:
 * reading locals costs about as much again per frame, a second read costs a whole read and a pause.
 */
export const LOCALS_WITH_STACKS_MAX_THREADS = 4;

/** One `py-spy dump` as a guarded tool run (pid as the tool sees it). */
export function pyspyDumpTool(pyspy: string, pid: number, req: DumpRequest): GuardedTool {
  return {
    name: 'py-spy',
    // py-spy cannot unwind native stacks without pausing: a read that must not pause leaves them out.
    argv: (nonblocking, threads) =>
      pyspyDumpArgv(pyspy, pid, {
        ...req,
        nonblocking,
        native: req.native && !nonblocking,
        locals: req.locals || (req.localsForFindings && threads !== undefined && threads <= LOCALS_WITH_STACKS_MAX_THREADS),
      }),
    onPipeWriter: 'nonblocking',
    nonblocking: req.nonblocking,
    options: {
      timeoutMs: req.timeoutMs ?? DUMP_TIMEOUT_MS,
      signal: req.signal,
      maxBytes: PYSPY_MAX_BYTES,
      env: { RUST_BACKTRACE: '0' },
      ...(req.onReading ? { onSpawn: () => req.onReading?.() } : {}),
    },
  };
}
