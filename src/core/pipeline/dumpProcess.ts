// One dump, start to finish: read the stacks with a backend, map frames to source, explain.
import type { Backend, DumpRequest } from '../backends/backend';
import { diagnose } from '../findings/diagnose';
import type { ProcessInfo, StackDump } from '../model';
import type { SourceMapper } from '../mapping/sourceMap';
import type { Target } from '../targets/target';
import { explainRefusedAttach } from '../targets/taskStates';
import type { RemoteReader } from '../findings/sourceLines';
import { checkPid } from '../validate/pid';
import { explainProcessKind } from '../targets/processKind';

export interface DumpJob extends DumpRequest {
  target: Target;
  pid: number;
  backend: Backend;
  mapper: SourceMapper;
  /** What the process list knew (for the Python version and findings). */
  process?: ProcessInfo;
  pythonVersion?: string;
}

export async function dumpProcess(job: DumpJob): Promise<StackDump> {
  checkPid(job.pid);
  // A target may know path rules of its own (container mounts); its ways in are the backend's to try.
  const dump = await job.backend.dump(job.target, job.pid, { ...job, threads: job.threads ?? job.process?.threads }).catch(async (err: unknown) => {
    throw await explainProcessKind(await explainRefusedAttach(err, job.target.runner, job.pid), job.target, job.pid, job.signal);
  });
  if (job.pythonVersion && !dump.pythonVersion) dump.pythonVersion = job.pythonVersion;
  await (await mapperFor(job.target, job.mapper, job.signal)).mapDump(dump);
  dump.findings = await diagnose(dump, remoteReader(job.target, job.signal));
  return dump;
}

/** Reads source files on the target, when it can (an ssh host), for the finding rules. */
export function remoteReader(target: Target, signal?: AbortSignal): RemoteReader | undefined {
  const read = target.readFile?.bind(target);
  return read ? (path) => read(path, signal) : undefined;
}

/** The mapper for a target's frames: its own rules (container mounts, host mappings) before the user's. */
export async function mapperFor(target: Target, mapper: SourceMapper, signal?: AbortSignal): Promise<SourceMapper> {
  const targetMapping = await target.sourceMapping?.(signal);
  return targetMapping ? mapper.forTarget(targetMapping) : mapper;
}
