// "Save a core and let it go": gcore takes a core of a process through the guard (gcore stops the
// process while it writes; the guard refuses while a thread is blocked writing to a pipe and resumes
// a process left stopped), where the target says (its core site: this machine, an ssh host, a
// container engine's host by the host PID); a core written elsewhere is copied back with progress
// and a size check, and removed there. The core is checked complete (every segment in the file, one
// thread note per task) and stored beside a JSON file of what the core cannot say: command line,
// working folder, interpreter, Python version, where it ran. The process keeps running (one stopped before is left stopped).
import { access, constants, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SnagError } from '../errors';
import { RunError } from '../run';
import { runGuarded } from '../guard/runGuarded';
import type { TargetRef } from '../model';
import { coreSiteFor, type CoreSite } from '../targets/coreSite';
import { explainProcessKind } from '../targets/processKind';
import type { Target } from '../targets/target';
import { checkPid } from '../validate/pid';
import { copyCoreBack, type CopyBack } from './coreCopy';
import { incompleteCore, readCoreFacts } from './coreNotes';
import { gcoreWriteFailure } from './gcoreOutcome';
import { readCoreProcess } from './coreProcess';

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
  /** The machine whose /proc held the process when the core was taken (an ssh host, a container's host). */
  host: { hostname: string; kernel: string };
  /** Where gcore ran, when not this machine: `prod-1`, `the host of container web` (the core was copied back). */
  takenOn?: string;
  /** How, when the target says (`gcore on this machine, host PID 4242`). */
  how?: string;
  /** The process kept running after the core was taken (what the guard found afterwards). */
  processAfter: string;
  /** The names (not the values: they may hold secrets) of the process's environment variables. */
  environmentNames?: string[];
}

export type CoreStep = 'writing' | 'copying';

export interface CaptureJob extends Pick<CopyBack, 'confirmLargeCopy' | 'largeBytes'> {
  target: Target;
  /** The process's pid as the target sees it. */
  pid: number;
  /** Folder (on this machine) the core and its metadata go to. */
  dir: string;
  /** This machine's gcore, for cores taken here. */
  gcore: string;
  /** gcore where the core is taken elsewhere (an ssh host, a container without host PIDs); default `gcore` on its PATH. */
  gcoreThere?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Told as gcore starts writing and as the copy back grows. */
  onProgress?: (step: CoreStep, copiedBytes?: number, totalBytes?: number) => void;
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[:.]/g, '-').slice(0, 19);
}

/** A private folder for the core at a site that is not this machine; removed after the copy. */
async function farFolder(site: CoreSite, signal?: AbortSignal): Promise<string> {
  const { stdout } = await site.runner.run(['mktemp', '-d', '/tmp/snag-core.XXXXXX'], { timeoutMs: 30_000, signal }).catch((err: unknown) => {
    throw new SnagError(
      'tool-failed',
      `Could not make a folder for the core on ${site.where}: ${err instanceof Error ? err.message : String(err)}`,
      ['show-log'],
      {
        cause: err,
      },
    );
  });
  const dir = stdout.trim();
  if (!dir.startsWith('/tmp/snag-core.')) throw new SnagError('tool-failed', `mktemp on ${site.where} answered "${dir}".`, ['show-log']);
  return dir;
}

/**
 * The folder a core goes to must be an existing folder this process can write, checked before gcore
 * stops the process (a core of many GiB written and then lost to `/dev/null/…` or a missing folder).
 * `named` is how the user gave it (`--out /x`), for the message.
 */
export async function checkCoreFolder(dir: string, named = dir): Promise<void> {
  const refuse = (why: string) => new SnagError('bad-input', `Cannot save a core in ${named}: ${why}. Give an existing folder you can write to.`);
  let st;
  try {
    st = await stat(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw refuse(code === 'ENOENT' || code === 'ENOTDIR' ? 'no such folder' : `it cannot be read (${code ?? 'error'})`);
  }
  if (!st.isDirectory()) throw refuse('it is not a folder');
  try {
    await access(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw refuse(`it is not writable (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** What a failed gcore run means: not found, or gcore's last line. */
function gcoreError(failure: unknown, where: string, pid: number): SnagError {
  if (SnagError.is(failure)) return failure;
  const stderr = (failure as { stderr?: string } | undefined)?.stderr?.trim().split('\n').pop()?.replace(/\.+$/, '');
  if (RunError.is(failure, 'not-found') || /gcore: (command )?not found|gcore: No such file/.test(stderr ?? ''))
    return new SnagError('tool-not-found', `gcore was not found on ${where}: install gdb there (it brings gcore).`, ['show-log']);
  return new SnagError('tool-failed', `gcore could not take a core of process ${pid} on ${where}${stderr ? `: ${stderr}` : ''}.`, ['show-log'], {
    cause: failure,
  });
}

export async function captureCore(job: CaptureJob): Promise<CoreMetadata> {
  checkPid(job.pid);
  await checkCoreFolder(job.dir);
  const site = await coreSiteFor(job.target, job.pid, job.signal);
  const proc = await readCoreProcess(site, job.signal);
  const pythonVersion = await job.target.pythonVersion?.(job.pid, { signal: job.signal }).catch(() => undefined);
  const taken = new Date();
  const name = (proc.cmdline.find((a, i) => i > 0 && /\.py$/.test(a)) ?? proc.exe ?? 'process').replace(/^.*\//, '').replace(/[^\w.-]+/g, '_');
  const base = `snag-core-${name}-${job.pid}-${stamp(taken)}`;
  const core = join(job.dir, `${base}.${job.pid}`);
  const far = site.here ? undefined : await farFolder(site, job.signal);
  const prefix = far ? `${far}/${base}` : join(job.dir, base);
  // gcore names its file <prefix>.<pid>, the pid as the site sees it (a container's host PID).
  const written = `${prefix}.${site.pid}`;
  try {
    job.onProgress?.('writing');
    const run = await runGuarded(site.place, {
      name: 'gcore',
      argv: () => [site.here ? job.gcore : (job.gcoreThere ?? 'gcore'), '-o', prefix, String(site.place.pid)],
      // gcore stops every thread while it writes, as gdb does.
      onPipeWriter: 'refuse',
      // Written while the process was there; its exit afterwards is said with the core.
      whenGone: 'keep',
      options: { timeoutMs: job.timeoutMs ?? 300_000, signal: job.signal, maxBytes: 4 * 1024 * 1024 },
    });
    if (run.failure || !run.result) {
      // A zombie or a kernel thread is told for what it is, as a dump tells it.
      throw await explainProcessKind(gcoreError(run.failure, site.where, job.pid), job.target, job.pid, job.signal);
    }
    if (far)
      await copyCoreBack(site, written, core, {
        signal: job.signal,
        confirmLargeCopy: job.confirmLargeCopy,
        largeBytes: job.largeBytes,
        onProgress: (c, t) => job.onProgress?.('copying', c, t),
      });
    else if (written !== core) await rename(written, core);
    const bytes = await stat(core).then(
      (s) => s.size,
      () => -1,
    );
    if (bytes < 0)
      throw new SnagError('tool-failed', `gcore ran but wrote no core (${core}): ${run.result.stderr.trim().split('\n').pop() ?? ''}`, ['show-log']);
    // gcore exits 0 after a failed write: its words say why the file is no core (a full disk).
    const writeFailed = gcoreWriteFailure(run.result.stderr);
    if (writeFailed)
      throw new SnagError(
        'tool-failed',
        `gcore could not write the core of process ${job.pid}: ${writeFailed}. Free space ${far ? `in /tmp on ${site.where} and ` : ''}in ${job.dir} (a core is about the size of the process's memory) or save it elsewhere (--out DIR), and try again.`,
      );
    const facts = await readCoreFacts(core);
    const incomplete =
      incompleteCore(facts) ?? (proc.tasks && facts.threads < proc.tasks ? `it holds ${facts.threads} of the process's ${proc.tasks} threads` : undefined);
    if (incomplete)
      throw new SnagError(
        'tool-failed',
        `The core gcore wrote (${core}) is incomplete: ${incomplete}. Check the free space ${far ? `in /tmp on ${site.where} and ` : ''}in ${job.dir} and try again.`,
      );
    const meta: CoreMetadata = {
      core,
      bytes,
      pid: job.pid,
      takenAt: taken.toISOString(),
      cmdline: proc.cmdline,
      ...(proc.cwd ? { cwd: proc.cwd } : {}),
      ...(proc.exe ? { interpreter: proc.exe } : {}),
      ...(pythonVersion ? { pythonVersion } : {}),
      threads: facts.threads,
      target: job.target.ref,
      host: proc.host,
      ...(site.here && !site.how ? {} : { takenOn: site.where }),
      ...(site.how ? { how: site.how } : {}),
      processAfter: run.outcome,
      ...(proc.environmentNames ? { environmentNames: proc.environmentNames } : {}),
    };
    await writeFile(`${core}.json`, JSON.stringify(meta, null, 2) + '\n');
    return meta;
  } catch (err) {
    await rm(core, { force: true });
    if (!far) await rm(written, { force: true });
    throw err;
  } finally {
    // What was written at the site stays nowhere (no signal: also after Cancel).
    if (far) await site.runner.run(['rm', '-rf', '--', far], { timeoutMs: 30_000 }).catch(() => undefined);
  }
}

/** The metadata stored beside a core, when there is one (`<core>.json`). */
export async function coreMetadata(core: string): Promise<CoreMetadata | undefined> {
  return readFile(`${core}.json`, 'utf8').then(
    (t) => JSON.parse(t) as CoreMetadata,
    () => undefined,
  );
}
