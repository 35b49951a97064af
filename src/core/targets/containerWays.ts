// The ways a tool reaches a process in a container, tried in this order by `auto` (each skipped
// when it cannot apply, the next tried when one fails for a reason another might not have):
//   host     the tool on the parent machine, on the process's host PID: fastest, changes nothing in
//            the container, but cannot tell idle threads across the PID namespace;
//   exec     a py-spy the image already has (`<engine> exec <c> py-spy …`);
//   copy     Snag's py-spy copied into the container under a private temp path, run, removed;
//   sidecar  a short-lived container sharing the target's PID namespace with SYS_PTRACE and
//            Snag's py-spy mounted read-only (`--network none`, labelled, always removed).
// Each is only a place (runner, pid as seen there, how the guard watches it), a tool path and what
// to undo: the reader runs its tool there under the same guard as everywhere else.
import { randomBytes } from 'node:crypto';
import { errorMessage, SnagError, type SnagErrorReason } from '../errors';
import { placeAt, type DirectWatch, type ToolPlace } from '../guard/toolPlace';
import type { ProcessInfo } from '../model';
import { killToolInNamespace } from '../proc/namespaceTools';
import { isRunning, type TaskState } from '../proc/tasks';
import { RunError } from '../run';
import type { ContainerDetails } from './containerEngine';
import { engineComplaint, engineFailure } from './containerErrors';
import { containerRunner } from './containerRunner';
import type { ContainerTarget } from './docker';
import { isPythonExe } from './psParse';
import { SIDECAR_PYSPY, sidecarRunner } from './sidecarRunner';
import type { WayChoice, WayIn, WayPlan, WayRequest } from './target';
import { isThisMachine, whereOf } from './targetPlace';
import { readTasks } from './taskStates';

export { SIDECAR_LABEL } from './sidecarRunner';

export type ContainerStrategy = 'host' | 'exec' | 'copy' | 'sidecar';
export type ContainerStrategyChoice = 'auto' | ContainerStrategy;
export const STRATEGY_ORDER: readonly ContainerStrategy[] = ['host', 'exec', 'copy', 'sidecar'];

export const STRATEGY_LABEL: Record<ContainerStrategy, string> = {
  host: 'py-spy on the host',
  exec: "the container's own py-spy",
  copy: 'py-spy copied into the container',
  sidecar: 'a sidecar container',
};

export interface ContainerDumpStep {
  strategy: ContainerStrategy;
  /** `start`: the strategy begins; `copied`: py-spy is inside the container, about to run. */
  phase: 'start' | 'copied';
}

export interface ContainerDumpOptions {
  strategy?: ContainerStrategyChoice;
  /** Ways `auto` must not use (a policy against sidecars, or against host-side reading). */
  excludeStrategies?: readonly ContainerStrategy[];
  /** py-spy inside the container for `exec` (default: `py-spy` on the container's PATH). */
  inContainerPyspy?: string;
  /** The sidecar gets SYS_PTRACE (default true; false only to see a real refusal). */
  sidecarAddsPtrace?: boolean;
  /** Extra `run` arguments for the sidecar (a security policy's options, tests). */
  sidecarRunArgs?: readonly string[];
  /** Told as each strategy starts and after copy-in copied (progress messages, tests). */
  onStep?: (step: ContainerDumpStep) => void | Promise<void>;
}

// Failures another way in might avoid; the others (gone, not Python, cancelled, timed out) stop.
const TRY_NEXT: ReadonlySet<SnagErrorReason> = new Set<SnagErrorReason>(['tool-not-found', 'permission-denied', 'tool-failed', 'unsupported-python']);
const CLEANUP_TIMEOUT_MS = 15_000;
const HOST_ACTIVITY_UNKNOWN =
  "Some threads could not be matched to the host's tasks: across the container's PID namespace py-spy cannot tell whether they are idle, so they show as active.";
const PTRACE_HELP = 'Start the container with --cap-add SYS_PTRACE (Kubernetes: securityContext.capabilities.add: ["SYS_PTRACE"])';

interface Job {
  details: ContainerDetails;
  proc: ProcessInfo;
  req: WayRequest;
}

interface Choice extends WayChoice {
  id: ContainerStrategy;
}

/** The ways into one container process, for one read. */
export class ContainerWays {
  constructor(
    private readonly target: ContainerTarget,
    private readonly options: ContainerDumpOptions = {},
  ) {}

  private get engine() {
    return this.target.engine;
  }

  async plan(pid: number, req: WayRequest): Promise<WayPlan> {
    const details = await this.target.inspect(req.signal, true);
    if (!details.running) throw new SnagError('process-gone', `Container ${details.name} is not running (${details.state}).`, ['refresh-processes']);
    const proc = await this.target.processInfo(pid, req.signal);
    if (!proc) throw new SnagError('process-gone', `Process ${pid} is not running in container ${details.name}.`, ['refresh-processes']);
    const job: Job = { details, proc, req };
    const choice = this.options.strategy ?? 'auto';
    const order = choice === 'auto' ? STRATEGY_ORDER.filter((s) => !this.options.excludeStrategies?.includes(s)) : [choice];
    const ways: Choice[] = [];
    for (const strategy of order) {
      const skip = this.skipReason(strategy, proc);
      if (skip && choice !== 'auto') throw new SnagError('bad-input', `Cannot use ${STRATEGY_LABEL[strategy]} for container ${details.name}: ${skip}.`);
      if (!skip) ways.push(this.choice(strategy, job));
    }
    return {
      ways,
      fallThrough: choice === 'auto',
      tryNextOn: TRY_NEXT,
      explain: (err, way) => this.classify(err, way.id as ContainerStrategy, job),
      giveUp: (tried) => finalError(tried.map((t) => ({ strategy: t.way.id as ContainerStrategy, error: t.error }))),
    };
  }

  /** The place for tools that have one way only (gdb): inside the container, watched from the host where it can be. */
  async place(pid: number, signal?: AbortSignal): Promise<ToolPlace> {
    const details = await this.target.inspect(signal);
    const proc = await this.target.processInfo(pid, signal);
    return this.inContainer({ details, proc: proc ?? ({ pid } as ProcessInfo) });
  }

  private skipReason(strategy: ContainerStrategy, proc: ProcessInfo): string | undefined {
    if (strategy !== 'host') return undefined;
    if (!proc.hostPid) return "the engine's host PIDs are not visible from here (remote engine or VM)";
    if (isThisMachine(this.engine.parent) && process.platform !== 'linux') return 'host-side reading needs Linux';
    return undefined;
  }

  private choice(strategy: ContainerStrategy, job: Job): Choice {
    const choice: Choice = {
      id: strategy,
      label: STRATEGY_LABEL[strategy],
      notes: [],
      open: async () => {
        await this.options.onStep?.({ strategy, phase: 'start' });
        return this.open(strategy, job, choice.notes);
      },
    };
    return choice;
  }

  /** Where the host's PIDs are visible, the host can watch the process (an image without a shell, a sidecar). */
  private fromHost(proc: ProcessInfo): DirectWatch | undefined {
    if (!proc.hostPid) return undefined;
    const host = this.engine.parent;
    return isThisMachine(host) ? { kind: 'local', pid: proc.hostPid } : { kind: 'runner', runner: host.runner, pid: proc.hostPid };
  }

  private inContainer({ details, proc }: Pick<Job, 'details' | 'proc'>): ToolPlace {
    const hostPid = proc.hostPid;
    // Killing the engine's CLI does not end what it started in the container; where the image has
    // no shell for the guard's own limit, the host ends a hung tool by its PID namespace.
    const reap =
      hostPid && isThisMachine(this.engine.parent) ? (argv: readonly string[]) => killToolInNamespace(hostPid, argv[0]!).then(() => undefined) : undefined;
    return { runner: this.target.runner, pid: proc.pid, watch: { kind: 'inline', fallback: this.fromHost(proc) }, where: `container ${details.name}`, reap };
  }

  private async open(strategy: ContainerStrategy, job: Job, notes: string[]): Promise<WayIn> {
    const { details, proc, req } = job;
    const host = this.engine.parent;
    switch (strategy) {
      case 'host': {
        const hostLocal = isThisMachine(host);
        const place = placeAt(host.runner, proc.hostPid!, hostLocal, whereOf(host));
        // The host's tasks before the tool pauses the process (paused, every task is stopped);
        // on this machine the guard reads them anyway.
        const remoteTasks = hostLocal ? undefined : await readTasks(host.runner, proc.hostPid!, req.signal);
        return {
          place,
          toolPath: await req.localTool(host, req.signal),
          refine: (threads, tasksBefore) => {
            // py-spy knows the threads by their ids in the container and cannot match them to the
            // host's tasks: it calls every thread active. The kernel's task states, matched by NSpid, can.
            const tasks: readonly TaskState[] = tasksBefore ?? remoteTasks ?? [];
            let matched = 0;
            for (const t of threads) {
              const running = t.nativeId === undefined ? undefined : isRunning(tasks, t.nativeId);
              if (running === undefined) continue;
              t.active = running;
              matched++;
            }
            if (matched < threads.length) notes.push(HOST_ACTIVITY_UNKNOWN);
          },
          describe: () => [`Read from the host (host PID ${proc.hostPid}); which threads run is the kernel's view of each task.`],
        };
      }
      case 'exec':
        return { place: this.inContainer(job), toolPath: this.options.inContainerPyspy ?? 'py-spy' };
      case 'copy': {
        const dest = await this.copyIn(job, notes);
        let leftBehind = false;
        return {
          place: this.inContainer(job),
          toolPath: dest,
          close: async () => {
            const problem = await this.removeCopy(dest, job, false);
            if (problem) {
              notes.push(problem);
              leftBehind = true;
            }
          },
          describe: () => (leftBehind ? [] : ['py-spy was copied into the container for this dump and removed afterwards.']),
        };
      }
      case 'sidecar': {
        // The sidecar has no shell of its own to look with: the process is watched from the host
        // where its host PID is known, else from inside its own container.
        const watch: DirectWatch = this.fromHost(proc) ?? { kind: 'runner', runner: this.target.runner, pid: proc.pid };
        const runner = sidecarRunner(this.engine, details, await this.localPyspy(req), this.options);
        return {
          place: { runner, pid: proc.pid, watch, where: 'a sidecar container' },
          toolPath: SIDECAR_PYSPY,
          extraMs: 15_000,
          describe: () => ["Read by a short-lived sidecar container sharing the target's PID namespace (SYS_PTRACE, no network)."],
        };
      }
    }
  }

  /** Snag's py-spy on the parent machine, symlinks resolved (cp and bind mounts want the file). */
  private async localPyspy(req: WayRequest): Promise<string> {
    const path = await req.localTool(this.engine.parent, req.signal);
    try {
      return (await this.engine.parent.runner.run(['readlink', '-f', path], { timeoutMs: 5_000, signal: req.signal })).stdout.trim() || path;
    } catch {
      return path;
    }
  }

  /** Copies Snag's py-spy into the container under a private name; returns its path there. */
  private async copyIn(job: Job, notes: string[]): Promise<string> {
    const { details, req } = job;
    const source = await this.localPyspy(req);
    const name = `.snag-py-spy-${randomBytes(6).toString('hex')}`;
    try {
      // /tmp where the image has one, else the root (images FROM scratch have neither /tmp nor rm).
      for (const dir of ['/tmp', '']) {
        try {
          await this.engine.exec(['cp', source, `${details.id}:${dir}/${name}`], { timeoutMs: 60_000, signal: req.signal });
        } catch (err) {
          const why = engineFailure(err);
          if (why === 'path-missing' && dir !== '') continue;
          if (why === 'container-gone' || why === 'cli-not-found' || why?.startsWith('engine-') || !RunError.is(err, 'exit')) throw err;
          // Read-only root, full disk, a policy: whatever it is, it was the copy that failed.
          throw new SnagError('tool-failed', `Could not copy py-spy into container ${details.name}: ${engineComplaint(err)}`, ['use-sidecar', 'show-log'], {
            cause: err,
          });
        }
        await this.options.onStep?.({ strategy: 'copy', phase: 'copied' });
        return `${dir}/${name}`;
      }
      throw new SnagError('tool-failed', `Could not copy py-spy into container ${details.name}.`, ['use-sidecar', 'show-log']);
    } catch (err) {
      // A copy cancelled or failed half-way may still have landed: remove it (no signal: also after Cancel).
      const problem = await this.removeCopy(`/tmp/${name}`, job, true);
      if (problem) notes.push(problem);
      throw err;
    }
  }

  /** Removes the copied py-spy; returns a sentence when something stays behind. */
  private async removeCopy(path: string, job: Job, maybeAbsent: boolean): Promise<string | undefined> {
    const asRoot = containerRunner(this.engine, job.details.id, '0');
    const python = pythonOf(job.proc);
    const removers: string[][] = [
      ['rm', '-f', path],
      ...(python ? [[python, '-c', 'import os,sys\ntry: os.remove(sys.argv[1])\nexcept FileNotFoundError: pass', path]] : []),
    ];
    let last: unknown;
    for (const argv of removers) {
      try {
        await asRoot.run(argv, { timeoutMs: CLEANUP_TIMEOUT_MS });
        return undefined;
      } catch (err) {
        last = err;
        if (engineFailure(err) === 'container-gone') {
          // Removed with the container, or kept in a stopped container's filesystem.
          const exists = await this.engine.inspect(job.details.id).then(
            () => true,
            () => false,
          );
          return exists && !maybeAbsent ? `Snag's copy of py-spy (${path}) stays in the stopped container ${job.details.name} until it is removed.` : undefined;
        }
        if (engineFailure(err) !== 'exec-not-found') break;
      }
    }
    return maybeAbsent ? undefined : `Could not remove Snag's copy of py-spy (${path}) from container ${job.details.name}: ${engineComplaint(last)}.`;
  }

  /** One actionable SnagError for a strategy's failure. */
  private async classify(err: unknown, strategy: ContainerStrategy, { details, proc, req }: Job): Promise<SnagError> {
    const name = details.name;
    const ownPyspy = () =>
      new SnagError('tool-not-found', `Container ${name} has no ${this.options.inContainerPyspy ?? 'py-spy'} of its own.`, ['use-sidecar'], { cause: err });
    if (strategy === 'exec' && SnagError.is(err, 'tool-not-found')) return ownPyspy();
    if (SnagError.is(err) && err.reason !== 'tool-failed') return err;
    const gone = () =>
      new SnagError('process-gone', `Container ${name} stopped during the dump of process ${proc.pid}.`, ['refresh-processes'], { cause: err });
    switch (engineFailure(err)) {
      case 'container-gone':
        return gone();
      case 'exec-not-found':
        if (strategy === 'exec') return ownPyspy();
        return new SnagError(
          'tool-failed',
          `Snag's py-spy could not be started inside container ${name}: ${engineComplaint(err)}`,
          ['use-sidecar', 'show-log'],
          { cause: err },
        );
      case 'exec-format':
        return new SnagError('tool-failed', `Snag's py-spy does not run inside container ${name} (built for another platform).`, ['use-sidecar', 'show-log'], {
          cause: err,
        });
      case 'path-missing':
      case 'read-only':
        return new SnagError('tool-failed', `Could not copy py-spy into container ${name}: ${engineComplaint(err)}`, ['use-sidecar', 'show-log'], {
          cause: err,
        });
      case 'runtime-failed':
        return new SnagError(
          'tool-failed',
          `${this.engine.label} could not start ${strategy === 'sidecar' ? 'the sidecar container' : 'py-spy'} for container ${name}: ${engineComplaint(err)}`,
          ['show-log'],
          { cause: err },
        );
      case 'image-missing':
        return new SnagError(
          'tool-failed',
          `The sidecar needs the image of container ${name} (${details.image}), which the engine no longer has.`,
          ['show-log'],
          { cause: err },
        );
      case 'cli-not-found':
      case 'engine-unreachable':
      case 'engine-permission':
        return this.engine.error(err, name) as SnagError;
      default:
        break;
    }
    const where = strategy === 'host' ? whereOf(this.engine.parent) : `container ${name}`;
    const e = SnagError.is(err) ? err : req.toolError(err, proc.pid, where);
    const reason = SnagError.is(e) ? e.reason : undefined;
    if (reason === 'cancelled' || reason === 'timed-out') return e as SnagError;
    // A process killed with its container surfaces as odd py-spy errors: ask the engine.
    if (reason !== 'not-python' && !(await this.stillRunning(details.id))) return gone();
    if (reason === 'process-gone')
      return new SnagError('process-gone', `Process ${proc.pid} in container ${name} is no longer running.`, ['refresh-processes'], { cause: err });
    if (reason === 'permission-denied') return ptraceError(strategy, name, proc, where, err);
    if (SnagError.is(e)) return e;
    return new SnagError('tool-failed', `${STRATEGY_LABEL[strategy]} failed: ${errorMessage(e)}`, ['show-log'], { cause: err });
  }

  private stillRunning(id: string): Promise<boolean> {
    return this.engine.inspect(id).then(
      (d) => d.running,
      () => false,
    );
  }
}

function ptraceError(strategy: ContainerStrategy, name: string, proc: ProcessInfo, where: string, cause: unknown): SnagError {
  if (strategy === 'host')
    return new SnagError(
      'permission-denied',
      `py-spy on ${where} may not attach to process ${proc.pid} of container ${name} (host PID ${proc.hostPid}): run Snag as root, or read the stacks from inside the container.`,
      ['use-sidecar', 'ptrace-help'],
      { cause },
    );
  if (strategy === 'sidecar')
    return new SnagError(
      'permission-denied',
      `The sidecar container may not attach to process ${proc.pid} of container ${name}: ptrace was refused. The engine must grant the sidecar --cap-add SYS_PTRACE (check seccomp, AppArmor or SELinux policies; on Kubernetes: securityContext.capabilities.add: ["SYS_PTRACE"]).`,
      ['add-sys-ptrace'],
      { cause },
    );
  return new SnagError(
    'permission-denied',
    `py-spy inside container ${name} may not attach to process ${proc.pid}: ptrace was refused. ${PTRACE_HELP} and run py-spy as the process's user, or let Snag use a sidecar container that shares its PID namespace.`,
    ['use-sidecar', 'add-sys-ptrace'],
    { cause },
  );
}

/** The error to show when every way in failed: the most actionable one, plus what was tried. */
function finalError(tried: { strategy: ContainerStrategy; error: SnagError }[]): SnagError {
  if (tried.length === 0) return new SnagError('bad-input', 'No way to read this container process applies here.');
  const pick =
    tried.find((a) => a.error.reason === 'permission-denied' && a.strategy !== 'host') ??
    tried.find((a) => a.error.reason === 'permission-denied') ??
    tried[tried.length - 1]!;
  const triedSidecar = tried.some((a) => a.strategy === 'sidecar');
  const summary = tried.map((a) => `${a.strategy}: ${a.error.reason}`).join(', ');
  const fixes = pick.error.fixes.filter((f) => !(triedSidecar && f === 'use-sidecar'));
  return new SnagError(pick.error.reason, `${pick.error.message} (Tried ${summary}.)`, fixes.length ? fixes : ['show-log'], { cause: pick.error });
}

/** The container's Python interpreter (to remove the copy where the image has no rm). */
function pythonOf(proc: ProcessInfo): string | undefined {
  if (proc.exe && isPythonExe(proc.exe)) return proc.exe;
  const first = proc.command.split(/\s+/)[0];
  return first && isPythonExe(first) ? first : undefined;
}
