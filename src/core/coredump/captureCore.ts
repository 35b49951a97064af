// "Save a core and let it go": gcore takes a core of a process on this machine through the guard
// (gcore stops the process while it writes; the guard refuses while a thread is blocked writing to a
// pipe and resumes a process left stopped), the core is checked complete (every segment in the
// file, one thread note per task), and stored beside a JSON file of what the core cannot say:
// command line, working folder, interpreter, Python version, where it ran. The process keeps running.
import { readFile, readlink, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, release } from 'node:os';
import { join } from 'node:path';
import { SnagError } from '../errors';
import { runGuarded } from '../guard/runGuarded';
import type { ProcessInfo, TargetRef } from '../model';
import { recognisePython } from '../targets/local';
import { pythonVersionOf } from '../targets/psParse';
import { placeFor } from '../targets/targetPlace';
import type { Target } from '../targets/target';
import { checkPid } from '../validate/pid';
import { incompleteCore, readCoreFacts } from './coreNotes';

/** What is stored beside a core (`<core>.json`): enough to open it on another machine. */
export interface CoreMetadata {
  core: string;
  bytes: number;
  pid: number;
  takenAt: string;
  /** The exact command line (argv). */
  cmdline: string[];
  cwd?: string;
  /** The interpreter binary (`/proc/<pid>/exe`): open the core with the same build (--python). */
  interpreter?: string;
  pythonVersion?: string;
  threads: number;
  /** Where the process ran. */
  target: TargetRef;
  host: { hostname: string; kernel: string };
  /** The process kept running after the core was taken (what the guard found afterwards). */
  processAfter: string;
  /** The names (not the values: they may hold secrets) of the process's environment variables. */
  environmentNames?: string[];
}

export interface CaptureJob {
  target: Target;
  pid: number;
  /** Folder the core and its metadata go to. */
  dir: string;
  gcore: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

async function readProc(pid: number) {
  const cmdline = await readFile(`/proc/${pid}/cmdline`).then(
    (b) => b.toString('utf8').split('\0').slice(0, -1),
    () => undefined,
  );
  if (!cmdline)
    throw new SnagError('process-gone', `Process ${pid} is not running (or not visible to Snag): there is nothing to take a core of.`, ['refresh-processes']);
  const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => undefined);
  const exe = await readlink(`/proc/${pid}/exe`).catch(() => undefined);
  const environmentNames = await readFile(`/proc/${pid}/environ`).then(
    (b) =>
      b
        .toString('utf8')
        .split('\0')
        .filter(Boolean)
        .map((e) => e.slice(0, Math.max(0, e.indexOf('='))))
        .filter(Boolean),
    () => undefined,
  );
  const tasks = await readdir(`/proc/${pid}/task`).then(
    (t) => t.length,
    () => 0,
  );
  return { cmdline, cwd, exe, environmentNames, tasks };
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[:.]/g, '-').slice(0, 19);
}

export async function captureCore(job: CaptureJob): Promise<CoreMetadata> {
  checkPid(job.pid);
  if (job.target.ref.kind !== 'local')
    throw new SnagError(
      'bad-input',
      `Saving a core works for processes on this machine so far; ${job.target.ref.label} is a ${job.target.ref.kind} target. Run snag core <pid> there and copy the core and its .json back.`,
    );
  const proc = await readProc(job.pid);
  const info: ProcessInfo = {
    pid: job.pid,
    ppid: 0,
    user: '',
    state: '',
    cpuPercent: 0,
    rssKb: 0,
    threads: 0,
    elapsedSeconds: 0,
    command: '',
    name: '',
    isPython: false,
  };
  await recognisePython(info).catch(() => undefined);
  const taken = new Date();
  const name = (proc.cmdline.find((a, i) => i > 0 && /\.py$/.test(a)) ?? proc.exe ?? 'process').replace(/^.*\//, '').replace(/[^\w.-]+/g, '_');
  const prefix = join(job.dir, `snag-core-${name}-${job.pid}-${stamp(taken)}`);
  const core = `${prefix}.${job.pid}`;
  const place = await placeFor(job.target, job.pid, job.signal);
  const run = await runGuarded(place, {
    name: 'gcore',
    argv: () => [job.gcore, '-o', prefix, String(place.pid)],
    // gcore stops every thread while it writes, as gdb does.
    onPipeWriter: 'refuse',
    options: { timeoutMs: job.timeoutMs ?? 300_000, signal: job.signal, maxBytes: 4 * 1024 * 1024 },
  });
  if (run.failure || !run.result) {
    await rm(core, { force: true });
    if (SnagError.is(run.failure)) throw run.failure;
    const stderr = (run.failure as { stderr?: string } | undefined)?.stderr?.trim().split('\n').pop();
    throw new SnagError('tool-failed', `gcore could not take a core of process ${job.pid}${stderr ? `: ${stderr}` : ''}.`, ['show-log']);
  }
  const bytes = await stat(core).then(
    (s) => s.size,
    () => -1,
  );
  if (bytes < 0) throw new SnagError('tool-failed', `gcore ran but wrote no core (${core}): ${run.result.stderr.trim().split('\n').pop() ?? ''}`, ['show-log']);
  const facts = await readCoreFacts(core);
  const incomplete =
    incompleteCore(facts) ?? (proc.tasks && facts.threads < proc.tasks ? `it holds ${facts.threads} of the process's ${proc.tasks} threads` : undefined);
  if (incomplete)
    throw new SnagError('tool-failed', `The core gcore wrote (${core}) is incomplete: ${incomplete}. Check the free space in ${job.dir} and try again.`);
  const meta: CoreMetadata = {
    core,
    bytes,
    pid: job.pid,
    takenAt: taken.toISOString(),
    cmdline: proc.cmdline,
    ...(proc.cwd ? { cwd: proc.cwd } : {}),
    ...(proc.exe ? { interpreter: proc.exe } : {}),
    ...(pythonVersionOf(info) ? { pythonVersion: pythonVersionOf(info) } : {}),
    threads: facts.threads,
    target: job.target.ref,
    host: { hostname: hostname(), kernel: release() },
    processAfter: run.outcome,
    ...(proc.environmentNames ? { environmentNames: proc.environmentNames } : {}),
  };
  await writeFile(`${core}.json`, JSON.stringify(meta, null, 2) + '\n');
  return meta;
}

/** The metadata stored beside a core, when there is one (`<core>.json`). */
export async function coreMetadata(core: string): Promise<CoreMetadata | undefined> {
  return readFile(`${core}.json`, 'utf8').then(
    (t) => JSON.parse(t) as CoreMetadata,
    () => undefined,
  );
}
