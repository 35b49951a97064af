// `snag sample --json`: the Profile without its internal frame table and stacks (save a
// speedscope file for those), with each count also as a percentage of all thread-samples.
import type { Profile } from '../model';
import { share } from './profileText';

/** The documented fields only: how a file was mapped (the views' business) stays out, as before. */
const withoutMapping = <T extends { mapping?: unknown }>({ mapping: _mapping, ...rest }: T): Omit<T, 'mapping'> => rest;

export function profileToJson(p: Profile) {
  const withShares = <T extends { own: number; total: number; cpuOwn?: number; cpuTotal?: number; mapping?: unknown }>(r: T) => ({
    ...withoutMapping(r),
    ownPercent: share(r.own, p.samples),
    totalPercent: share(r.total, p.samples),
    ...(p.activeSamples !== undefined
      ? { cpuOwnPercent: share(r.cpuOwn ?? 0, p.activeSamples), cpuTotalPercent: share(r.cpuTotal ?? 0, p.activeSamples) }
      : {}),
  });
  return {
    pid: p.pid,
    rateHz: p.rateHz,
    method: p.method,
    startedAt: p.startedAt,
    durationMs: p.durationMs,
    samples: p.samples,
    ...(p.activeSamples !== undefined ? { activeSamples: p.activeSamples } : {}),
    stuckAfterSeconds: p.stuckAfterSeconds,
    threads: p.threads.map((t) => (t.at ? { ...t, at: withoutMapping(t.at) } : t)),
    functions: p.functions.map(withShares),
    lines: p.lines.map(withShares),
    ...(p.notes ? { notes: p.notes } : {}),
    ...(p.findings ? { findings: p.findings } : {}),
  };
}
