// Bounds on what Snag asks of the machine: how long a timer may run, how much output it keeps.

/** setTimeout's largest delay (2^31 - 1 ms, about 24.8 days): a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A delay safe to give setTimeout: finite, ≥ 0, ≤ MAX_TIMER_MS (`fallback` for NaN or undefined). */
export function timerMs(ms: number | undefined, fallback: number): number {
  const v = ms === undefined || Number.isNaN(ms) ? fallback : ms;
  return Math.min(Math.max(v, 0), MAX_TIMER_MS);
}

/**
 * Cap on one `py-spy dump --json`'s output. 500 threads × 60 frames is about 5 MB; parsing 12 MB of
 * frames keeps the CLI near 200–400 MB of memory, where 60 MB took it past 1.4 GB.
 */
export const DUMP_OUTPUT_MAX_BYTES = 12 * 1024 * 1024;

/** Bytes for people: 12582912 → "12 MiB". */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / (1024 * 1024)) * 10) / 10} MiB`;
  if (n >= 1024) return `${Math.round((n / 1024) * 10) / 10} KiB`;
  return `${n} bytes`;
}
