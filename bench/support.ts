// Shared by the bench modules: timing, medians, and merging one module's key into results.json
// (each bench/*.bench.ts owns one key; the others' keys are kept).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export const RESULTS = join(__dirname, 'results.json');

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Wall time of one call, in ms. */
export async function timeMs(fn: () => unknown): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Reads results.json, sets `key`, writes it back. */
export function writeResult(key: string, value: unknown): void {
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown>;
  } catch {
    /* first result */
  }
  all[key] = value;
  writeFileSync(RESULTS, JSON.stringify(all, null, 2) + '\n');
}
