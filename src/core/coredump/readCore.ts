// A core file read like a live process: Snag's gdb program (snag_gdb.py) runs in `gdb -batch` on
// the interpreter and the core, reading every thread's native frames and the Python frames from
// the interpreter's frame objects in the core's memory, as it does from a live process; then the
// usual pipeline (source mapping, findings). gdb reads the code the core leaves out (gcore and the
// kernel skip the executable's and libraries' text) from the same files on this machine, which is
// why py-spy's `dump --core` cannot read most gcore cores and gdb can (see docs/post-mortem.md).
// No process is attached, so nothing goes through the guard: a core is a file.
import { basename } from 'node:path';
import { SnagError } from '../errors';
import { gdbDumpArgv } from '../backends/gdb';
import { gdbReportToThreads } from '../backends/gdbMerge';
import { ranWhenRead } from '../stacks/ranWhenRead';
import { parseGdbReport } from '../backends/gdbParse';
import { diagnose } from '../findings/diagnose';
import type { SourceMapper } from '../mapping/sourceMap';
import type { StackDump } from '../model';
import { run, RunError } from '../run';
import { coreMetadata } from './captureCore';
import { chooseCoreInterpreter, interpreterNote } from './coreInterpreter';
import { incompleteCore, readCoreFacts, type CoreFacts } from './coreNotes';

export interface CoreJob {
  core: string;
  /** The interpreter the core came from (default: the executable the core names). */
  python?: string;
  gdb: string;
  mapper: SourceMapper;
  locals?: boolean;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** gdb's argv for reading one core: Snag's program, then the executable and the core to load. */
export function gdbCoreArgv(gdb: string, python: string, core: string, facts: Pick<CoreFacts, 'pid'>, locals?: boolean, scriptsBeside = false): string[] {
  const pid = facts.pid && facts.pid > 0 ? facts.pid : 1;
  return [...gdbDumpArgv(gdb, { pid, core: true, locals, scriptsBeside }), '-se', python, '-c', core];
}

export async function dumpCore(job: CoreJob): Promise<StackDump> {
  const started = Date.now();
  const facts = await readCoreFacts(job.core);
  const incomplete = incompleteCore(facts);
  if (incomplete)
    throw new SnagError(
      'bad-input',
      `The core file ${job.core} is incomplete: ${incomplete}. Take it again (snag core <pid>, or gcore) with room on the disk.`,
    );
  // Snag's own cores carry the interpreter's path in <core>.json (the core's lowest mapping names it too).
  const meta = await coreMetadata(job.core);
  const interpreter = await chooseCoreInterpreter(job.core, facts, job.python, meta?.interpreter);
  const python = interpreter.path;
  const argv = gdbCoreArgv(job.gdb, python, job.core, facts, job.locals, interpreter.trustScriptsBeside);
  const result = await run(argv, { timeoutMs: job.timeoutMs ?? 120_000, signal: job.signal, maxBytes: 64 * 1024 * 1024 }).catch((err: unknown) => {
    if (RunError.is(err, 'not-found'))
      throw new SnagError('tool-not-found', `gdb was not found (${job.gdb}); Snag reads core files with gdb. Install it (apt-get install gdb).`, [
        'install-gdb',
      ]);
    if (RunError.is(err, 'cancelled')) throw new SnagError('cancelled', 'Reading the core file was cancelled.');
    if (RunError.is(err, 'timed-out')) throw new SnagError('timed-out', `gdb did not finish reading ${job.core} in time.`, ['show-log']);
    if (RunError.is(err) && err.stdout) return { stdout: err.stdout, stderr: err.stderr };
    throw err;
  });
  const report = parseGdbReport(result.stdout);
  if (!report)
    throw new SnagError('tool-failed', `gdb could not read the core file ${job.core}: ${result.stderr.trim().split('\n').pop() ?? 'it printed no report'}`, [
      'show-log',
    ]);
  if (report.error?.stage === 'attach') throw new SnagError('bad-input', `gdb could not load ${job.core} with ${python}: ${report.error.message}.`);
  const { threads, notes } = gdbReportToThreads(report);
  // A core keeps no run state: where each thread stopped tells (in a system call: it waited).
  for (const t of threads) t.active = ranWhenRead(t.frames) ?? false;
  const method = report.method ?? 'native';
  const coreNotes = [
    `Read from the core file ${basename(job.core)} with gdb (${method === 'native' ? 'native frames only: no debug info for the interpreter' : method}), using ${python}.`,
    interpreterNote(interpreter),
    ...interpreter.notes,
    ...(meta
      ? [`Command line: ${meta.cmdline.join(' ')}${meta.cwd ? ` (in ${meta.cwd})` : ''}; taken ${meta.takenAt} on ${meta.host.hostname}.`]
      : facts.args
        ? [`Command line (as the core records it): ${facts.args}`]
        : []),
    ...report.notes,
    ...(report.error ? [`gdb stopped reading part-way: ${report.error.message}`] : []),
    ...notes,
  ];
  const dump: StackDump = {
    pid: report.pid || facts.pid || 0,
    backend: 'gdb',
    method,
    ...(report.pythonVersion ? { pythonVersion: report.pythonVersion } : {}),
    takenAt: meta?.takenAt ?? new Date(started).toISOString(),
    durationMs: 0,
    opened: { from: 'core', name: basename(job.core), format: 'core', formatLabel: 'a core file' },
    threads,
    findings: [],
    notes: coreNotes,
  };
  await job.mapper.mapDump(dump);
  dump.findings = await diagnose(dump);
  dump.durationMs = Date.now() - started;
  return dump;
}
