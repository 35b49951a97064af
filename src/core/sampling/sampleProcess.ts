// Samples one process for a while and returns the profile (the CLI's `snag sample`; the
// extension drives a SamplingSession itself to show it live). Both build their Sampler here.
import { mapperFor, remoteReader } from '../pipeline/dumpProcess';
import { samplingProcessView } from '../pipeline/processView';
import type { Profile } from '../model';
import { Sampler } from './sampler';
import type { SourceMapper } from '../mapping/sourceMap';
import type { Target } from '../targets/target';
import { frameMapperFor } from './frameMapper';
import type { SampleSource } from './sampleSource';
import { stackWaitExplainer, threadsExplainer } from './stackWait';
import { SourceLines } from '../findings/sourceLines';
import { SamplingSession } from './samplingSession';
import { checkPid } from '../validate/pid';
import { explainProcessKind } from '../targets/processKind';
import { SnagError } from '../errors';

export interface SamplerJob {
  target: Target;
  pid: number;
  source: SampleSource;
  mapper: SourceMapper;
  rateHz: number;
  stuckAfterSeconds?: number;
  label?: string;
  signal?: AbortSignal;
}

export interface SampleJob extends SamplerJob {
  durationMs: number;
}

/** A Sampler for the process whose frames map like its dumps' (the target's rules first). */
export async function createSampler(job: SamplerJob): Promise<Sampler> {
  checkPid(job.pid);
  const mapper = await mapperFor(job.target, job.mapper, job.signal, job.pid);
  // One cache of source lines for both explainers, for the whole session.
  const source = new SourceLines(remoteReader(job.target, job.signal));
  // The live process's sockets, for socket waits that name their peer.
  const view = samplingProcessView(job.target, job.pid, job.signal);
  return new Sampler({
    pid: job.pid,
    rateHz: job.rateHz,
    method: job.source.method,
    stuckAfterSeconds: job.stuckAfterSeconds,
    label: job.label,
    mapFrame: frameMapperFor(mapper),
    explainStack: stackWaitExplainer(source, view),
    explainThreads: threadsExplainer(source, view),
  });
}

/** Rejects with the source's error when nothing was sampled; a later failure ends early with a note. */
export async function sampleProcess(job: SampleJob): Promise<Profile> {
  const sampler = await createSampler(job);
  const session = new SamplingSession({ source: job.source, sampler, durationMs: job.durationMs });
  const onAbort = () => void session.stop();
  job.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await session.start();
  } finally {
    job.signal?.removeEventListener('abort', onAbort);
  }
  const failure = session.failure;
  // An empty profile ("0 samples over 0 threads") is never a result: it says why there is none.
  if (sampler.samples === 0) {
    if (failure) throw await explainProcessKind(failure, job.target, job.pid, job.signal);
    if (job.signal?.aborted) throw new SnagError('cancelled', `Sampling of process ${job.pid} cancelled before any sample was taken.`);
    throw new SnagError(
      'tool-failed',
      `Sampling took no sample of process ${job.pid} in ${job.durationMs / 1000} s (${job.source.method}). Check that a dump of it works, then sample for longer.`,
      ['show-log'],
    );
  }
  const profile = sampler.profile();
  if (failure) (profile.notes ??= []).push(`sampling ended early: ${failure.message}`);
  else if (job.signal?.aborted) (profile.notes ??= []).push('sampling was cancelled: the profile holds the samples taken until then.');
  return profile;
}
