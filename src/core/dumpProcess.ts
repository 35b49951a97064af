// One dump, start to finish: read the stacks with a backend, map frames to source, explain.
import type { Backend, DumpRequest } from './backends/backend';
import { diagnose } from './diagnose';
import type { ProcessInfo, StackDump } from './model';
import type { SourceMapper } from './sourceMap';
import type { Target } from './targets/target';

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
  // A target may read stacks its own way (containers) and know path rules of its own (mounts).
  const backend = job.target.backendFor?.(job.backend) ?? job.backend;
  const dump = await backend.dump(job.target, job.pid, job);
  if (job.pythonVersion && !dump.pythonVersion) dump.pythonVersion = job.pythonVersion;
  await (await mapperFor(job.target, job.mapper, job.signal)).mapDump(dump);
  dump.findings = await diagnose(dump);
  return dump;
}

/** The mapper for a target's frames: its own rules (container mounts, host mappings) before the user's. */
export async function mapperFor(target: Target, mapper: SourceMapper, signal?: AbortSignal): Promise<SourceMapper> {
  const targetMapping = await target.sourceMapping?.(signal);
  return targetMapping ? mapper.forTarget(targetMapping) : mapper;
}

/** The innermost frame of the user's own code in a thread (what to highlight and open). */
export function innermostUserFrame<T extends { isUserCode: boolean }>(frames: readonly T[]): T | undefined {
  return frames.find((f) => f.isUserCode);
}
