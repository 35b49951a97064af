// The ONE guard every tool run that attaches to a process goes through, on every target kind:
//   before  a thread blocked writing to a pipe is never paused (a pause ends that write early and
//           the program can lose output): py-spy then reads without pausing, gdb refuses;
//   during  the tool has a timeout; behind a connection the far side ends it too, since Snag can
//           only kill its local client (ssh, `docker exec`) and a hung tool would keep the target traced;
//   after   a process the tool left stopped (state T: a debugger that died between attaching and
//           handling its SIGSTOP) gets SIGCONT, unless it was stopped before Snag came.
// Backends and samplers never call a tool's runner directly; a new way in only offers a ToolPlace.
import { PidReusedError, SnagError } from '../errors';
import { anyStopped, pipeWriterIds, readLocalStartTime, readLocalTasks, type TaskState } from '../proc/tasks';
import { RunError, type RunOptions, type RunResult } from '../run';
import { guardedArgv, guardedStderr, LOOK_SCRIPT, REAP_SCRIPT, REFUSED_EXIT, type GuardReport, type PipeWriterPolicy } from './guardScript';
import { pipeRefusal } from './guardNotes';
import type { DirectWatch, ToolPlace } from './toolPlace';

const WATCH_TIMEOUT_MS = 10_000;
/** The far side's limit comes after Snag's, so Snag's own clear "timed out" is what the user sees. */
const REMOTE_GRACE_S = 2;

export interface GuardedTool {
  /** For messages: `py-spy`, `gdb`. */
  name: string;
  /**
   * The tool's argv; `nonblocking`: it must not pause the process. `threads`: how many threads the
   * guard's look just found (on this machine), for a tool that reads more of a small process at once.
   */
  argv(nonblocking: boolean, threads?: number): string[];
  /** What the tool does about a pipe writer: read without pausing (py-spy) or refuse (gdb). */
  onPipeWriter: 'nonblocking' | 'refuse';
  /** The user asked for a read that never pauses (the tool argv is then built with `true`). */
  nonblocking?: boolean;
  /**
   * A target gone when the tool is done: its output is refused (default: stacks read under a pid
   * that may have named another process meanwhile) or kept (a core file written before it went).
   */
  whenGone?: 'refuse' | 'keep';
  options: RunOptions & { timeoutMs: number };
}

/** What became of the process: as the tool found it, resumed by Snag, gone, or stopped. */
export type GuardOutcome = 'running' | 'resumed' | 'gone' | 'still-stopped' | 'left-stopped';

export interface GuardedRun {
  /** The tool's result (stderr without the guard's own lines); absent when it failed. */
  result?: RunResult;
  failure?: unknown;
  /** Threads found blocked writing to a pipe (the tool then read without pausing). */
  pipeWriters: number[];
  outcome: GuardOutcome;
  /** The process's tasks just before the tool ran, where they were read on this machine. */
  tasksBefore?: TaskState[];
  /** What the user should know about how the guard could work here. */
  notes: string[];
  /** The process was there when the tool started (so 'gone' means it exited during the read). */
  existed: boolean;
  /** After the run its pid named another process (so `failure` is set and there is no result). */
  reused?: boolean;
}

/**
 * Runs a tool at a place under the guard. Never throws for the tool's failure (see `failure`), only
 * for a refusal. When the pid names another process after the run (the target exited and its pid
 * was handed out again), what the tool printed may be that process's: it is no result, on every path.
 */
export async function runGuarded(place: ToolPlace, tool: GuardedTool): Promise<GuardedRun> {
  const run = place.watch.kind === 'inline' ? await runInline(place, tool) : await runWatched(place, place.watch, tool);
  // Gone by the time the tool was done: its pid may have named another process for part of the
  // read (one that took it and exited again before the look), so nothing read is shown as the target's.
  const suspect = run.reused || (run.outcome === 'gone' && run.existed && run.result !== undefined && tool.whenGone !== 'keep');
  if (!suspect) return run;
  const { result: _dropped, ...rest } = run;
  return { ...rest, outcome: 'gone', failure: run.reused ? pidReused(tool.name, place) : exitedDuringRead(tool.name, place) };
}

function exitedDuringRead(tool: string, place: ToolPlace): PidReusedError {
  return new PidReusedError(
    `Process ${place.pid} exited during the dump, before ${tool} was done: what it read is not shown, since the pid may have named another process meanwhile. Pick the process again in a fresh listing.`,
  );
}

function pidReused(tool: string, place: ToolPlace): PidReusedError {
  return new PidReusedError(
    `Process ${place.pid} exited during the ${tool} read and its pid now names another process on ${place.where}: nothing read is shown. Pick the process again in a fresh listing.`,
  );
}

/** The run's result, or its failure thrown (for callers with nothing to add). */
export function resultOf(run: GuardedRun): RunResult {
  if (run.failure !== undefined || !run.result) throw run.failure;
  return run.result;
}

/** The tool's one run at its place: its result, or what went wrong (never thrown here). */
async function runTool(place: ToolPlace, argv: readonly string[], tool: GuardedTool): Promise<{ result?: RunResult; failure?: unknown }> {
  try {
    // What the tool left running ends with it (it could still stop the target later): its group, and
    // on this machine also what left the group or session (setsid), found by parent and by a mark.
    return { result: await place.runner.run(argv, { ...tool.options, killGroupOnExit: true, ...(place.runner.here ? { endDescendants: true } : {}) }) };
  } catch (err) {
    return { failure: err ?? new Error(`${tool.name} failed`) };
  }
}

/** Snag stopped waiting (timeout, Cancel): the far side may still be running the tool. */
function gaveUp(failure: unknown): boolean {
  return RunError.is(failure, 'timed-out') || RunError.is(failure, 'cancelled');
}

async function runWatched(place: ToolPlace, watch: DirectWatch, tool: GuardedTool): Promise<GuardedRun> {
  const seen = await look(watch);
  const before = seen?.tasks ?? [];
  const notes: string[] = [];
  const writers = tool.nonblocking ? [] : pipeWriterIds(before);
  if (writers.length && tool.onPipeWriter === 'refuse') throw pipeRefusal(tool.name, place.pid, writers);
  // Unable to look: a tool that may pause reads without pausing, one that must pause is not started.
  const blind = seen === undefined && !tool.nonblocking;
  if (blind && tool.onPipeWriter === 'refuse') throw uncheckable(tool.name, place);
  if (blind) notes.push(blindNote(place));
  const argv = tool.argv(Boolean(tool.nonblocking) || writers.length > 0 || blind, seen?.tasks.length);
  const { result, failure } = await runTool(place, argv, tool);
  if (gaveUp(failure)) await place.reap?.(argv);
  // Stopped by the user (Ctrl-Z) or held by another debugger before: left exactly as found.
  const outcome = anyStopped(before) || before.some((t) => t.state === 't') ? 'left-stopped' : await resumeIfStopped(watch, seen?.start);
  const existed = seen === undefined || seen.tasks.length > 0;
  // Gone, or another process under the pid now: its start time tells.
  const startAfter = outcome === 'gone' && seen?.start !== undefined ? (await look(watch, false))?.start : undefined;
  const reused = startAfter !== undefined && startAfter !== seen?.start;
  return { result, failure, pipeWriters: writers, outcome, notes, existed, reused, ...(watch.kind === 'local' ? { tasksBefore: before } : {}) };
}

async function runInline(place: ToolPlace, tool: GuardedTool): Promise<GuardedRun> {
  const policy: PipeWriterPolicy = tool.nonblocking ? 'ignore' : tool.onPipeWriter;
  const toolArgv = tool.argv(Boolean(tool.nonblocking));
  const argv = guardedArgv(toolArgv, place.pid, tool.options.timeoutMs / 1000 + REMOTE_GRACE_S, policy);
  let { result, failure } = await runTool(place, argv, tool);
  const raw = result?.stderr ?? (RunError.is(failure) ? failure.stderr : '');
  const { stderr, report } = guardedStderr(raw);
  const reaped = gaveUp(failure) ? await reapInline(place, report, toolArgv) : false;
  if (RunError.is(failure, 'exit') && failure.exitCode === REFUSED_EXIT && report.pipeWriters.length)
    throw pipeRefusal(tool.name, place.pid, report.pipeWriters);
  // No sh there (a minimal image): the engine says 126/127 before the guard could say anything.
  if (RunError.is(failure, 'exit') && !report.spoke && (failure.exitCode === 126 || failure.exitCode === 127)) {
    const fallback = place.watch.kind === 'inline' ? place.watch.fallback : undefined;
    return fallback ? runWatched(place, fallback, tool) : runWithoutShell(place, tool);
  }
  if (report.toolMissing)
    failure = new SnagError(
      'tool-not-found',
      `${tool.name} was not found on ${place.where} (${tool.argv(false)[0]}).`,
      tool.name === 'py-spy' ? ['install-pyspy', 'configure-pyspy-path'] : ['install-gdb'],
    );
  if (result) result = { ...result, stderr };
  if (RunError.is(failure)) failure = withStderr(failure, stderr);
  const outcome: GuardOutcome = report.stoppedBefore
    ? 'left-stopped'
    : report.gone
      ? 'gone'
      : report.stillStopped
        ? 'still-stopped'
        : report.resumed || reaped
          ? 'resumed'
          : 'running';
  return {
    result,
    failure,
    pipeWriters: report.pipeWriters,
    outcome,
    notes: [],
    existed: !report.spoke || report.startTime !== undefined,
    reused: report.reused,
  };
}

/**
 * No sh where the tool runs (a minimal image): nothing can be checked there, so a tool that may
 * pause reads without pausing, and one that must pause is not started.
 */
async function runWithoutShell(place: ToolPlace, tool: GuardedTool): Promise<GuardedRun> {
  if (tool.onPipeWriter === 'refuse' && !tool.nonblocking) throw uncheckable(tool.name, place);
  try {
    const result = await place.runner.run(tool.argv(true), tool.options);
    return { result, pipeWriters: [], outcome: 'running', notes: tool.nonblocking ? [] : [blindNote(place)], existed: true };
  } catch (err) {
    return { failure: err ?? new Error(`${tool.name} failed`), pipeWriters: [], outcome: 'running', notes: [], existed: true };
  }
}

function blindNote(place: ToolPlace): string {
  return `Read without pausing the process: Snag cannot look at its threads on ${place.where} (no POSIX sh or /proc there), so it cannot tell whether a pause is safe.`;
}

function uncheckable(tool: string, place: ToolPlace): SnagError {
  return new SnagError(
    'tool-failed',
    `${tool} must pause every thread of process ${place.pid}, and Snag cannot check on ${place.where} (no POSIX sh or /proc there) that none is blocked writing to a pipe, which a pause would cut short. Use py-spy, which then reads without pausing.`,
    ['show-log'],
  );
}

/**
 * Snag gave up on a tool behind a connection (timeout, Cancel): killing its local client does not end
 * the far side, where the tool would keep the target traced (or stopped) until the guard's own limit.
 * The guard said its pid: end its group there and resume the target (true when it had been left
 * stopped). Else the place's own reaper (a container seen from its host) does what it can.
 */
async function reapInline(place: ToolPlace, report: GuardReport, toolArgv: readonly string[]): Promise<boolean> {
  let resumed = false;
  if (report.guardPid) {
    const argv = [
      'sh',
      '-c',
      REAP_SCRIPT,
      'snag-reap',
      String(report.guardPid),
      String(place.pid),
      report.startTime ?? '',
      report.stoppedBefore ? '0' : '1',
      report.guardStartTime ?? '',
    ];
    // No AbortSignal: this is what runs after a Cancel.
    const r = await place.runner.run(argv, { timeoutMs: WATCH_TIMEOUT_MS, maxBytes: 64 * 1024 }).catch(() => undefined);
    resumed = /^resumed$/m.test(r?.stdout ?? '');
  }
  // Also where the guard could not be reached (a dropped connection, a container without a shell).
  await place.reap?.(toolArgv);
  return resumed;
}

/** The same failure with the guard's lines taken out of its stderr (and of its message). */
function withStderr(err: RunError, stderr: string): RunError {
  if (err.stderr === stderr) return err;
  let message = err.message;
  if (err.failure === 'exit') {
    const last = stderr.trim().split('\n').filter(Boolean).pop() ?? '';
    message = message.replace(/(exited with code -?\d+).*$/s, `$1${last ? `: ${last}` : ''}`);
  }
  return new RunError(err.failure, err.argv, message, { ...err.result, stderr });
}

/** What a look at the process sees: its tasks (empty when it is gone) and its start time. */
interface Seen {
  tasks: TaskState[];
  /** Field 22 of /proc/<pid>/stat: another value under the same pid is another process. */
  start?: string;
}

/** The process as the watch sees it; undefined when it cannot be read there. */
async function look(watch: DirectWatch, wchan = true): Promise<Seen | undefined> {
  if (watch.kind === 'local') {
    // After the tool only the states matter: where each task sleeps is read before it only.
    const [tasks, start] = await Promise.all([readLocalTasks(watch.pid, { wchan }), readLocalStartTime(watch.pid)]);
    return { tasks, start };
  }
  try {
    // No AbortSignal on purpose: the check after a run also happens when the user cancelled it.
    const { stdout } = await watch.runner.run(['sh', '-c', LOOK_SCRIPT, 'snag-look', String(watch.pid)], {
      timeoutMs: WATCH_TIMEOUT_MS,
      maxBytes: 4 * 1024 * 1024,
    });
    const lines = stdout.split('\n').map((line) => line.split(' '));
    const tasks = lines
      .filter((f) => f.length === 3 && /^\d+$/.test(f[0]!))
      .map(([tid, state, wchan]) => ({ ids: [Number(tid)], state: state!, wchan: wchan === '-' ? '' : wchan }));
    const start = lines.find((f) => f[0] === 'start' && f[1])?.[1];
    return { tasks, ...(start ? { start } : {}) };
  } catch {
    return undefined;
  }
}

async function signalCont(watch: DirectWatch): Promise<void> {
  try {
    if (watch.kind === 'local') process.kill(watch.pid, 'SIGCONT');
    else await watch.runner.run(['sh', '-c', 'kill -CONT "$1"', 'snag-cont', String(watch.pid)], { timeoutMs: WATCH_TIMEOUT_MS, maxBytes: 64 * 1024 });
  } catch {
    /* not ours to signal, or gone: the look afterwards tells */
  }
}

/**
 * After a tool ran: SIGCONT the process, always (only for processes that were not stopped before).
 * A stop may still be on its way when the tool has exited: a debugger that died mid-attach leaves
 * its SIGSTOP pending, and a tool may stop the process just before it exits. SIGCONT discards a
 * pending stop and ends one that happened; to a running process it does nothing.
 */
export async function resumeIfStopped(watch: DirectWatch, startBefore?: string): Promise<GuardOutcome> {
  const seen = await look(watch, false);
  if (seen?.tasks.length === 0) return 'gone';
  // The pid now names another process (the target exited and the pid was reused): not ours to signal.
  if (startBefore !== undefined && seen?.start !== undefined && seen.start !== startBefore) return 'gone';
  const stopped = seen ? anyStopped(seen.tasks) : false;
  await signalCont(watch);
  if (!stopped) return 'running';
  // SIGCONT is delivered a moment after kill() returns: look again a few times before saying so.
  for (let i = 0; ; i++) {
    const after = await look(watch, false);
    if (after?.tasks.length === 0) return 'gone';
    if (!after || !anyStopped(after.tasks)) return 'resumed';
    if (i >= 10) return 'still-stopped';
    await new Promise((r) => setTimeout(r, 20));
  }
}
