// The py-spy backend: `py-spy dump --json` run where the process lives (through the target's
// runner), parsed into a StackDump. Failures become one actionable SnagError. A process with a
// thread blocked writing to a pipe is read without pausing it (a pause would cut that write short).
import type { DumpOptions, StackDump } from '../model';
import type { Target } from '../targets/target';
import { pipeSafeRun, pipeWriterNote } from '../targets/taskStates';
import type { Backend, DumpRequest } from './backend';
import { pyspyError } from './pyspyErrors';
import { parsePySpyDump } from './pyspyParse';

export const DUMP_TIMEOUT_MS = 20_000;

/** The py-spy argv for one dump (a tool call is data; the runner decides where it runs). */
export function pyspyDumpArgv(pyspy: string, pid: number, o: DumpOptions): string[] {
  const argv = [pyspy, 'dump', '--pid', String(pid), '--json'];
  if (o.native) argv.push('--native');
  if (o.locals) argv.push('--locals');
  if (o.nonblocking) argv.push('--nonblocking');
  return argv;
}

/** Which py-spy to use on a target (a local path, a path inside a container, on a remote host). */
export type PySpyLocator = (target: Target, signal?: AbortSignal) => Promise<string>;

export class PySpyBackend implements Backend {
  readonly id = 'py-spy' as const;
  /** Public so targets with several ways to run py-spy (containers) can find Snag's own binary. */
  readonly locate: PySpyLocator;
  constructor(locate: PySpyLocator) {
    // A target that has its own py-spy (an ssh host) answers for itself, also for containers on it.
    this.locate = (target, signal) => target.locatePySpy?.(signal) ?? locate(target, signal);
  }

  async dump(target: Target, pid: number, req: DumpRequest): Promise<StackDump> {
    const pyspy = await this.locate(target, req.signal);
    const started = Date.now();
    // A thread blocked writing to a pipe must not be paused: it is read without pausing.
    const run = await pipeSafeRun(target, pid, (nonblocking) => pyspyDumpArgv(pyspy, pid, { ...req, nonblocking }), req.nonblocking, req.signal);
    let stdout: string;
    let writers: number[];
    try {
      const r = await target.runner.run(run.argv, {
        timeoutMs: req.timeoutMs ?? DUMP_TIMEOUT_MS,
        signal: req.signal,
        maxBytes: 64 * 1024 * 1024,
        env: { RUST_BACKTRACE: '0' },
      });
      stdout = r.stdout;
      writers = run.writers(r.stderr);
    } catch (err) {
      throw pyspyError(err, pid, target.ref.kind === 'local' ? 'this machine' : target.ref.label);
    }
    return {
      pid,
      backend: 'py-spy',
      takenAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      target: target.ref,
      threads: parsePySpyDump(stdout),
      findings: [],
      ...(writers.length ? { notes: [pipeWriterNote(writers)] } : {}),
    };
  }
}
