// One dump, start to finish: read the stacks with a backend, map frames to source, explain.
import type { Backend, DumpRequest } from '../backends/backend';
import { diagnose } from '../findings/diagnose';
import type { AsyncioTasks, ProcessInfo, StackDump } from '../model';
import { addTasks } from '../asyncio/dumpTasks';
import type { SourceMapper } from '../mapping/sourceMap';
import type { Target } from '../targets/target';
import { explainRefusedAttach } from '../targets/taskStates';
import type { RemoteReader } from '../findings/sourceLines';
import { checkPid } from '../validate/pid';
import { explainProcessKind } from '../targets/processKind';
import { processFacts } from '../targets/processFacts';
import { isThisMachine } from '../targets/targetPlace';
import { liveProcessView, MAX_CHILD_DUMPS, readSocketsOnce, type ViewJob } from './processView';

export interface DumpJob extends DumpRequest {
  target: Target;
  pid: number;
  backend: Backend;
  mapper: SourceMapper;
  /** What the process list knew (for the Python version and findings). */
  process?: ProcessInfo;
  /** Read the asyncio tasks when a thread runs an event loop (default true; src/core/asyncio/). */
  tasks?: boolean;
  /** The last reading of this process's tasks, for what changed since (a pile-up growing). */
  previousTasks?: AsyncioTasks;
}

export async function dumpProcess(job: DumpJob): Promise<StackDump> {
  checkPid(job.pid);
  // Beside the read, what needs no pause: the target's word on the Python version (its executable),
  // and on this machine the process's sockets (a few /proc reads and at most one `ss`), which a
  // socket wait's finding names. Neither waits for the stacks, nor do the stacks wait for them.
  const version = job.target.pythonVersion?.(job.pid, { process: job.process, signal: job.signal }).catch(() => undefined);
  // The sockets are read once the reader's tool has started (starting a program holds this thread
  // until it runs: the tool goes first).
  const sockets = isThisMachine(job.target) ? readSocketsOnce(job.target, job.pid, job.signal) : undefined;
  // A target may know path rules of its own (container mounts); its ways in are the backend's to try.
  const req: DumpJob = {
    ...job,
    threads: job.threads ?? job.process?.threads,
    localsForFindings: true,
    ...(sockets ? { onReading: () => void sockets() } : {}),
  };
  const dump = await job.backend.dump(job.target, job.pid, req).catch(async (err: unknown) => {
    throw await explainProcessKind(await explainRefusedAttach(err, job.target.runner, job.pid), job.target, job.pid, job.signal);
  });
  // The reader's own word first (gdb asks the interpreter); else the target's (its executable).
  if (!dump.pythonVersion) {
    const v = await version;
    if (v) dump.pythonVersion = v;
  }
  const explain = async (d: StackDump, view: ViewJob): Promise<void> => {
    await (await mapperFor(view.target, job.mapper, view.req.signal, view.pid)).mapDump(d);
    // The rules may ask about the live process: its sockets, its threads' locals, its children's dumps (each explained so in turn).
    const process = liveProcessView(view, d);
    d.findings = await diagnose(d, remoteReader(view.target, view.req.signal), { process });
    // Locals read only for the rules leave with them: a dump shows locals when they were asked for.
    if (!view.req.locals) dropLocals(d);
    const children = process.taken();
    if (children.length) d.children = children;
  };
  await explain(dump, {
    target: job.target,
    pid: job.pid,
    backend: job.backend,
    req,
    depth: 0,
    budget: { left: MAX_CHILD_DUMPS },
    explainChild: explain,
    ...(sockets ? { sockets } : {}),
  });
  if (job.tasks !== false)
    await addTasks(dump, {
      target: job.target,
      mapper: await mapperFor(job.target, job.mapper, job.signal, job.pid),
      signal: job.signal,
      previous: job.previousTasks,
      readRemote: remoteReader(job.target, job.signal),
    });
  return dump;
}

function dropLocals(d: StackDump): void {
  for (const t of d.threads) for (const f of t.frames) delete f.locals;
}

/** Reads source files on the target, when it can (an ssh host), for the finding rules. */
export function remoteReader(target: Target, signal?: AbortSignal): RemoteReader | undefined {
  const read = target.readFile?.bind(target);
  return read ? (path) => read(path, signal) : undefined;
}

/**
 * The mapper for a target's frames: its own rules (container mounts, host mappings) before the
 * user's; with `pid`, relative frame paths resolve against that process's working directory (asked
 * for only when a frame has one).
 */
export async function mapperFor(target: Target, mapper: SourceMapper, signal?: AbortSignal, pid?: number): Promise<SourceMapper> {
  const targetMapping = await target.sourceMapping?.(signal);
  const workingDir = pid === undefined ? undefined : () => processFacts(target, pid, ['cwd'], signal).then((f) => f.cwd);
  if (!targetMapping && !workingDir) return mapper;
  return mapper.forTarget({ ...(targetMapping ?? {}), ...(workingDir ? { workingDir } : {}) });
}
