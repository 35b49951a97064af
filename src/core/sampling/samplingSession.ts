// One sampling session: a source feeding a Sampler, with start / pause / resume / stop and an
// optional duration. Updates are pushed after every batch; a failure ends the session with the
// error kept (the samples taken so far stay). The session clock keeps running across pauses.
import { SnagError } from '../errors';
import { RunError } from '../run';
import { MAX_TIMER_MS } from '../validate/limits';
import type { Sampler } from './sampler';
import type { SampleSource } from './sampleSource';

export type SamplingState = 'running' | 'paused' | 'stopped';

/**
 * How long past its duration a session waits for the recording in progress: as long again as the
 * duration, at least MIN_FINISH_GRACE_MS (a py-spy recording of one second, a gdb dump) and at most
 * FINISH_GRACE_MS. A tool that hangs (a gdb stuck attaching) so ends a 3 s sample after 8 s, not 28.
 */
const FINISH_GRACE_MS = 25_000;
const MIN_FINISH_GRACE_MS = 5_000;

export function finishGraceMs(durationMs: number): number {
  return Math.min(FINISH_GRACE_MS, Math.max(MIN_FINISH_GRACE_MS, durationMs));
}

/** A cancellation (the session's own stop, a Cancel), as opposed to a failure of the source. */
function isCancellation(err: unknown): boolean {
  return SnagError.is(err, 'cancelled') || RunError.is(err, 'cancelled') || (err instanceof Error && err.name === 'AbortError');
}

export interface SamplingSessionOptions {
  source: SampleSource;
  sampler: Sampler;
  /** Stop by itself after this long (of sampling, not counting pauses). */
  durationMs?: number;
  /** Called after each batch and on every state change. */
  onUpdate?: () => void;
}

export class SamplingSession {
  private controller?: AbortController;
  private readonly t0 = Date.now();
  private sampledMs = 0;
  private running?: Promise<void>;
  state: SamplingState = 'stopped';
  error?: unknown;
  readonly clock = () => Date.now() - this.t0;

  constructor(private readonly opts: SamplingSessionOptions) {}

  get sampler(): Sampler {
    return this.opts.sampler;
  }

  /** Starts (or resumes) sampling; the promise settles when this run ends, never rejecting. */
  start(): Promise<void> {
    if (this.state === 'running' && this.running) return this.running;
    this.error = undefined;
    const controller = new AbortController();
    this.controller = controller;
    this.state = 'running';
    this.opts.onUpdate?.();
    const began = this.clock();
    const left = this.opts.durationMs === undefined ? undefined : this.opts.durationMs - this.sampledMs;
    // At the end of the duration the recording in progress is kept: the source ends after it
    // (and is stopped outright if it does not within FINISH_GRACE_MS).
    const finish = new AbortController();
    const timer = left === undefined ? undefined : setTimeout(() => finish.abort(), Math.min(MAX_TIMER_MS, Math.max(0, left)));
    const grace = finishGraceMs(this.opts.durationMs ?? 0);
    let overran = false;
    const hardStop =
      left === undefined
        ? undefined
        : setTimeout(
            () => {
              overran = true;
              void this.stop();
            },
            Math.min(MAX_TIMER_MS, Math.max(0, left) + grace),
          );
    this.running = this.opts.source
      .run(
        async (batch) => {
          if (controller.signal.aborted) return;
          await this.opts.sampler.add(batch);
          this.opts.onUpdate?.();
        },
        controller.signal,
        this.clock,
        finish.signal,
      )
      .catch((err: unknown) => {
        // A stop or pause aborts the source, which then ends quietly or with a cancellation; a
        // real failure that comes with it (or just before it) is still the session's error.
        if (!controller.signal.aborted || !isCancellation(err)) this.error = err;
      })
      .finally(() => {
        clearTimeout(timer);
        clearTimeout(hardStop);
        // Stopped by the session itself: the recording in progress never ended, which is a failure
        // (with no sample at all, the only thing there is to say).
        if (overran && this.error === undefined)
          this.error = new SnagError(
            'timed-out',
            `Sampling by ${this.opts.source.method} had not delivered the sample in progress ${grace / 1000} s after its duration ended, so Snag stopped the tool: it hangs, or needs longer than that (try a longer duration).`,
            ['show-log'],
          );
        this.sampledMs += this.clock() - began;
        // A pause() leaves the state paused; anything else (stop, duration, failure) stops.
        if (this.controller === controller && this.state === 'running') this.state = 'stopped';
        if (this.controller === controller) this.controller = undefined;
        this.running = undefined;
        this.opts.onUpdate?.();
      });
    return this.running;
  }

  pause(): Promise<void> {
    if (this.state !== 'running') return Promise.resolve();
    this.state = 'paused';
    return this.abort();
  }

  stop(): Promise<void> {
    const was = this.state;
    this.state = 'stopped';
    if (was !== 'running') {
      this.opts.onUpdate?.();
      return Promise.resolve();
    }
    return this.abort();
  }

  private abort(): Promise<void> {
    const running = this.running ?? Promise.resolve();
    this.controller?.abort();
    return running;
  }

  /** The error that ended the session, as a SnagError where it is one. */
  get failure(): SnagError | Error | undefined {
    const e = this.error;
    return e === undefined ? undefined : e instanceof Error ? e : new SnagError('tool-failed', String(e));
  }
}
