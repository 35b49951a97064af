// Where samples come from. A source runs until its signal aborts and hands over batches;
// it rejects with one actionable SnagError when sampling cannot go on.
import type { SampleBatch } from '../model';

export interface SampleSource {
  /** Shown with the profile: `py-spy record`, `repeated py-spy dumps`, `repeated gdb dumps`. */
  readonly method: string;
  /**
   * `clock()` is ms since the session began (the same clock across pauses). `signal` stops at once
   * (the recording in progress is dropped); `finish` ends the run after the batch in progress, so
   * a session of a given duration keeps its last recording.
   */
  run(onBatch: (batch: SampleBatch) => Promise<void> | void, signal: AbortSignal, clock: () => number, finish?: AbortSignal): Promise<void>;
}

/** Resolves after `ms`, or at once when the signal aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export const MIN_RATE_HZ = 1;
export const MAX_RATE_HZ = 100;
export const DEFAULT_RATE_HZ = 10;

export function clampRate(hz: number): number {
  return Math.max(MIN_RATE_HZ, Math.min(MAX_RATE_HZ, Math.round(hz)));
}
