// The gdb backend: gdb in batch mode runs Snag's own script (gdbScript.ts), which attaches, reads
// native and Python frames and detaches; the report is merged into a StackDump. gdb works wherever
// ptrace does and sees waits inside C code that py-spy's unwinder may not. Whatever happens to
// gdb (killed, timed out, cancelled), the target is checked afterwards and resumed if it was left
// stopped (stoppedGuard.ts).
import { deflateSync } from 'node:zlib';
import { SnagError } from '../errors';
import type { StackDump } from '../model';
import type { RunResult } from '../run';
import type { Target } from '../targets/target';
import { findTool } from '../tools';
import type { Backend, DumpRequest } from './backend';
import { gdbReportError, gdbRunError, gdbNoReportError } from './gdbErrors';
import { gdbReportToThreads } from './gdbMerge';
import { parseGdbReport, type GdbReport } from './gdbParse';
import { GDB_SCRIPT } from './gdbScript';
import { isStopped, readTaskStates, resumeIfLeftStopped, type GuardOutcome } from './stoppedGuard';
import { pipeWriters } from '../targets/taskStates';

/** Loading debug info for a big interpreter takes seconds; the target is only paused while attached. */
export const GDB_TIMEOUT_MS = 60_000;

/** How Python frames are read: the interpreter's gdb extension, Snag's own reader, or the best available. */
export type GdbPythonReader = 'auto' | 'py-bt' | 'frame-objects';

export interface GdbScriptArgs {
  pid: number;
  locals?: boolean;
  reader?: GdbPythonReader;
  maxFrames?: number;
  /** Extra python-gdb.py paths to try first. */
  extensions?: string[];
}

const PACKED_SCRIPT = deflateSync(Buffer.from(GDB_SCRIPT, 'utf8'), { level: 9 }).toString('base64');

/** The gdb argv for one dump (a tool call is data; the runner decides where it runs). */
export function gdbDumpArgv(gdb: string, args: GdbScriptArgs): string[] {
  const packedArgs = Buffer.from(JSON.stringify(args), 'utf8').toString('base64');
  // The script travels in the argv (compressed), so nothing has to be copied to where gdb runs.
  const load =
    'python import base64, json, zlib; ' +
    `exec(compile(zlib.decompress(base64.b64decode('${PACKED_SCRIPT}')).decode('utf-8'), 'snag-gdb.py', 'exec'), ` +
    `{'__name__': 'snag_gdb', 'SNAG_ARGS': json.loads(base64.b64decode('${packedArgs}').decode('utf-8'))})`;
  return [
    gdb,
    '-nx',
    '-q',
    '-batch',
    // Never fetch debug info over the network in the middle of a dump.
    '-iex',
    'set debuginfod enabled off',
    // Snag loads the interpreter's python-gdb.py itself, after checking who owns it.
    '-iex',
    'set auto-load python-scripts off',
    '-iex',
    'set pagination off',
    '-iex',
    'set confirm off',
    '-ex',
    load,
  ];
}

/** Which gdb to use on a target (a configured path locally; `gdb` on PATH elsewhere). */
export type GdbLocator = (target: Target, signal?: AbortSignal) => Promise<string>;

export interface GdbBackendOptions {
  reader?: GdbPythonReader;
  extensions?: string[];
}

const METHOD_NOTES: Record<string, (r: GdbReport) => string> = {
  'py-bt': (r) => `Python frames read with the interpreter's gdb extension (${r.extension ?? 'python-gdb.py'}), as py-bt does.`,
  'frame-objects': () => "Python frames read from the interpreter's frame objects by Snag (no gdb extension found for this interpreter).",
  native: (r) => {
    const v = /^\d+\.\d+/.exec(r.pythonVersion ?? '')?.[0];
    return `gdb read native frames only: it found no debug info for the Python interpreter${v ? ` (${v})` : ''}, which it needs to read Python frames. Install the interpreter's debug symbols (Debian/Ubuntu: apt-get install python${v ?? '3.X'}-dbg) or use py-spy for the Python frames.`;
  },
};

export class GdbBackend implements Backend {
  readonly id = 'gdb' as const;
  constructor(
    readonly locate: GdbLocator,
    private readonly options: GdbBackendOptions = {},
  ) {}

  async dump(target: Target, pid: number, req: DumpRequest): Promise<StackDump> {
    const gdb = await this.locate(target, req.signal);
    const where = target.ref.kind === 'local' ? 'this machine' : target.ref.label;
    // A process the user stopped themselves (Ctrl-Z, SIGSTOP) is left as it was found. (A process
    // that is gone reads as no tasks; gdb then says so when it tries to attach.)
    const stoppedBefore = isStopped(await readTaskStates(target.runner, pid));
    // gdb must stop every thread; one blocked writing to a pipe would have that write cut short.
    const writers = await pipeWriters(target.runner, pid, target.ref.kind === 'local', req.signal);
    if (writers.length)
      throw new SnagError(
        'bad-input',
        `Thread ${writers.join(', ')} of process ${pid} is blocked writing to a pipe. gdb would have to pause it, which ends that write early and can lose the program's output. Dump it with py-spy instead (Snag reads such a process without pausing it), or once the pipe's reader has caught up.`,
      );
    const gdbArgv = gdbDumpArgv(gdb, { pid, locals: req.locals, reader: this.options.reader, extensions: this.options.extensions });
    const timeoutMs = req.timeoutMs ?? GDB_TIMEOUT_MS;
    // The host's own limit comes after Snag's, so Snag's clear "timed out" is what the user sees.
    const argv = target.ref.kind === 'local' ? gdbArgv : reapingRemotely(gdbArgv, { limitSeconds: timeoutMs / 1000 + 2, resumePid: stoppedBefore ? undefined : pid });
    const started = Date.now();
    let result: RunResult | undefined;
    let failure: unknown;
    try {
      // gdb forks a probe of itself when it attaches; if gdb dies then, the stopped probe would keep
      // the pipes open until the timeout. Here the probe's group is killed when gdb exits; where gdb
      // runs behind ssh or docker exec, reapingRemotely does the same on that side.
      result = await target.runner.run(argv, { timeoutMs, signal: req.signal, maxBytes: 64 * 1024 * 1024, killGroupOnExit: true });
    } catch (err) {
      failure = err;
    }
    const durationMs = Date.now() - started;
    let report: GdbReport | undefined;
    let parseError: unknown;
    try {
      report = result ? parseGdbReport(result.stdout) : undefined;
    } catch (err) {
      parseError = err;
    }
    const guard: GuardOutcome | 'left-stopped' = stoppedBefore
      ? 'left-stopped'
      : await resumeIfLeftStopped(target.runner, pid, { force: !(report?.detached || report?.attached === false) });
    const after = guardRemark(guard, pid);
    if (failure) throw gdbRunError(failure, pid, where, after);
    if (!report) throw parseError instanceof Error ? new SnagError('tool-failed', `gdb's report for process ${pid} could not be read: ${parseError.message}`, ['show-log']) : gdbNoReportError(result?.stderr ?? '', pid);
    const reportError = gdbReportError(report, pid);
    if (reportError) throw reportError;

    const { threads, notes } = gdbReportToThreads(report);
    const method = report.method ?? 'native';
    return {
      pid,
      backend: 'gdb',
      method,
      ...(report.pythonVersion ? { pythonVersion: report.pythonVersion } : {}),
      takenAt: new Date(started).toISOString(),
      durationMs,
      target: target.ref,
      threads,
      findings: [],
      notes: [...dumpNotes(report, method, req), ...notes, ...(after ? [after] : [])],
    };
  }
}

/** What the user should know about how this dump was read. */
function dumpNotes(report: GdbReport, method: string, req: DumpRequest): string[] {
  const notes = [METHOD_NOTES[method]?.(report) ?? `Python frames: ${method}.`, ...report.notes];
  if (report.error) notes.push(`gdb stopped reading part-way: ${report.error.message}`);
  if (report.detachError) notes.push(`gdb could not detach cleanly: ${report.detachError}`);
  if (req.locals && method !== 'py-bt') notes.push("Locals need the interpreter's gdb extension (python-gdb.py); none were read.");
  if (req.nonblocking) notes.push('gdb pauses the process while it reads; non-blocking dumps are a py-spy feature.');
  return notes;
}

function guardRemark(guard: GuardOutcome | 'left-stopped', pid: number): string {
  switch (guard) {
    case 'resumed':
      return `Process ${pid} was left stopped by gdb; Snag resumed it (SIGCONT).`;
    case 'still-stopped':
      return `Process ${pid} is stopped (state T) and SIGCONT did not resume it: resume it with kill -CONT ${pid}.`;
    case 'left-stopped':
      return `Process ${pid} was already stopped (state T) before the dump; Snag left it stopped.`;
    default:
      return '';
  }
}

/**
 * Runs gdb under a fixed sh script that, once gdb has exited, ends what is left of its process
 * group (a stopped ptrace probe a killed gdb leaves behind holds the remote command's output open,
 * so ssh would wait for it). Signals are sent only after gdb is gone, and only to sh's own group:
 * where sh leads no group the kill finds nothing. When Snag gives up on a hung gdb it can only kill
 * its local ssh client, and the host would keep gdb (attached) running: `timeout` there ends it a
 * little after Snag's own limit (where the host has a `timeout` that runs in the foreground), and the
 * target gets a SIGCONT in case the attach's SIGSTOP outlived gdb.
 */
export const REAP_AFTER_GDB = [
  'limit=$1; resume=$2; shift 2',
  'if timeout --foreground -k 2 5 true 2>/dev/null; then timeout --foreground -k 2 "$limit" "$@"; else "$@"; fi; rc=$?',
  'trap "" TERM; kill -TERM -$$ 2>/dev/null; kill -CONT -$$ 2>/dev/null',
  '[ -z "$resume" ] || kill -CONT "$resume" 2>/dev/null',
  'exit $rc',
].join('\n');

export interface RemoteGdbLimits {
  /** Seconds after which the host ends gdb itself. */
  limitSeconds: number;
  /** The target, to SIGCONT once gdb is gone; leave it out for a process that was stopped before. */
  resumePid?: number;
}

export function reapingRemotely(gdbArgv: readonly string[], limits: RemoteGdbLimits): string[] {
  return ['sh', '-c', REAP_AFTER_GDB, 'snag-gdb', String(Math.max(1, Math.ceil(limits.limitSeconds))), limits.resumePid === undefined ? '' : String(limits.resumePid), ...gdbArgv];
}

/** This machine's gdb (a configured path, else PATH) for local targets; `gdb` on PATH elsewhere. */
export function gdbLocator(configured?: string, configureHint?: string): GdbLocator {
  return async (target) => (target.ref.kind === 'local' ? findTool('gdb', { configured, configureHint }) : 'gdb');
}
