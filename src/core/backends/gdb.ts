// The gdb backend: gdb in batch mode runs Snag's own script (gdbScript.ts), which attaches, reads
// native and Python frames and detaches; the report is merged into a StackDump. gdb works wherever
// ptrace does and sees waits inside C code that py-spy's unwinder may not. Whatever happens to
// gdb (killed, timed out, cancelled), the target is checked afterwards and resumed if it was left
// stopped (stoppedGuard.ts).
import { deflateSync } from 'node:zlib';
import { SnagError } from '../errors';
import type { StackDump } from '../model';
import type { Target } from '../targets/target';
import { findTool } from '../tools';
import type { Backend, DumpRequest } from './backend';
import { gdbReportError, gdbRunError, gdbNoReportError } from './gdbErrors';
import { gdbReportToThreads } from './gdbMerge';
import { parseGdbProgress, parseGdbReport, type GdbReport } from './gdbParse';
import { GDB_SCRIPT } from './gdbScript';
import { checkPid } from '../validate/pid';
import { guardRemark } from '../guard/guardNotes';
import { runGuarded } from '../guard/runGuarded';
import { isThisMachine, placeFor } from '../targets/targetPlace';
import type { ToolPlace } from '../guard/toolPlace';
import { readdir } from 'node:fs/promises';
import { gdbTimeoutMs } from './gdbTimeout';
import { goneDuringRead } from './toolFailure';

/** How Python frames are read: the interpreter's gdb extension, Snag's own reader, or the best available. */
export type GdbPythonReader = 'auto' | 'py-bt' | 'frame-objects';

export interface GdbScriptArgs {
  pid: number;
  locals?: boolean;
  reader?: GdbPythonReader;
  maxFrames?: number;
  /** Extra python-gdb.py paths to try first. */
  extensions?: string[];
  /** Read the core file gdb was started on (its argv names it) instead of attaching to `pid`. */
  core?: boolean;
  /** False: load no extension script kept beside the interpreter (a core named it), only gdb's system ones. */
  scriptsBeside?: boolean;
  /** Seconds between progress lines on stderr, the first after as long (default 1; 0: one a thread). */
  progressEvery?: number;
}

/** Packed at the first dump, not when the module loads (every CLI start would pay for it). */
let packedScript: string | undefined;
const packed = () => (packedScript ??= deflateSync(Buffer.from(GDB_SCRIPT, 'utf8'), { level: 9 }).toString('base64'));

/** The gdb argv for one dump (a tool call is data; the runner decides where it runs). */
export function gdbDumpArgv(gdb: string, args: GdbScriptArgs): string[] {
  checkPid(args.pid);
  const packedArgs = Buffer.from(JSON.stringify(args), 'utf8').toString('base64');
  // The script travels in the argv (compressed), so nothing has to be copied to where gdb runs.
  const load =
    'python import base64, json, zlib; ' +
    `exec(compile(zlib.decompress(base64.b64decode('${packed()}')).decode('utf-8'), 'snag-gdb.py', 'exec'), ` +
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
  /** Seconds between progress reports (GdbScriptArgs.progressEvery). */
  progressEvery?: number;
}

const METHOD_NOTES: Record<string, (r: GdbReport) => string> = {
  'py-bt': (r) => `Python frames read with the interpreter's gdb extension (${r.extension ?? 'python-gdb.py'}), as py-bt does.`,
  'frame-objects': (r) =>
    r.manyThreads
      ? `Python frames read from the interpreter's frame objects by Snag: for ${r.manyThreads} threads it is many times faster than the interpreter's gdb extension.`
      : "Python frames read from the interpreter's frame objects by Snag (no gdb extension found for this interpreter).",
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
    const place = await placeFor(target, pid, req.signal);
    const gdbArgv = gdbDumpArgv(gdb, {
      pid: place.pid,
      locals: req.locals,
      reader: this.options.reader,
      extensions: this.options.extensions,
      ...(this.options.progressEvery !== undefined ? { progressEvery: this.options.progressEvery } : {}),
    });
    const started = Date.now();
    const onProgress = req.onProgress;
    // gdb forks a probe of itself when it attaches; if gdb dies then, the stopped probe would keep
    // the pipes open until the timeout: its group is killed when gdb exits (on the far side, the guard does it).
    // gdb must stop every thread, so the guard refuses while one is blocked writing to a pipe; a
    // process the user stopped themselves (Ctrl-Z, SIGSTOP) is left as it was found.
    const run = await runGuarded(place, {
      name: 'gdb',
      argv: () => gdbArgv,
      onPipeWriter: 'refuse',
      options: {
        timeoutMs: req.timeoutMs ?? gdbTimeoutMs(req.threads ?? (await localThreadCount(place))),
        signal: req.signal,
        maxBytes: 64 * 1024 * 1024,
        killGroupOnExit: true,
        // The program says how far it got on stderr about once a second after the first.
        onStderrLine: onProgress
          ? (line: string) => {
              const progress = parseGdbProgress(line);
              if (progress) onProgress(progress);
            }
          : undefined,
      },
    });
    const { result, failure } = run;
    const where = place.where;
    const durationMs = Date.now() - started;
    let report: GdbReport | undefined;
    let parseError: unknown;
    try {
      report = result ? parseGdbReport(result.stdout) : undefined;
      // gdb's text is let go once parsed (tens of MB for many threads): only the report goes on.
      if (report && result) result.stdout = '';
    } catch (err) {
      parseError = err;
    }
    const after = guardRemark(run.outcome, pid, 'gdb', req.operation ?? 'dump');
    if (failure) throw gdbRunError(failure, pid, where, after);
    if (!report)
      throw SnagError.is(parseError)
        ? parseError
        : parseError instanceof Error
          ? new SnagError('tool-failed', `gdb's report for process ${pid} could not be read: ${parseError.message}`, ['show-log'])
          : gdbNoReportError(result?.stderr ?? '', pid, where);
    const reportError = gdbReportError(report, pid, where);
    if (reportError) throw reportError;

    const { threads, notes } = gdbReportToThreads(report);
    if (run.outcome === 'gone' && threads.length === 0) throw goneDuringRead('gdb', pid);
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

/** This machine's gdb (a configured path, else PATH) where the target is this machine; `gdb` on PATH elsewhere. */
export function gdbLocator(configured?: string, configureHint?: string, configuredBy?: string): GdbLocator {
  return async (target) => (isThisMachine(target) ? findTool('gdb', { configured, configureHint, configuredBy }) : 'gdb');
}

/** The thread count of a process on this machine, when nobody listed it (the CLI); else unknown. */
async function localThreadCount(place: ToolPlace): Promise<number | undefined> {
  if (place.watch.kind !== 'local') return undefined;
  return readdir(`/proc/${place.watch.pid}/task`).then(
    (tasks) => tasks.length,
    () => undefined,
  );
}
