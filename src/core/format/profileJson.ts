// `snag sample --json`: the Profile without its internal frame table and stacks (save a
// speedscope file for those), with each count also as a percentage of all thread-samples.
import type { Profile } from '../model';
import { share } from './profileText';

/** The documented fields only: how a file was mapped (the views' business) stays out, as before. */
const withoutMapping = <T extends { mapping?: unknown }>({ mapping: _mapping, ...rest }: T): Omit<T, 'mapping'> => rest;

export function profileToJson(p: Profile) {
  const withShares = <T extends { own: number; total: number; mapping?: unknown }>(r: T) => ({
    ...withoutMapping(r),
    ownPercent: share(r.own, p.samples),
    totalPercent: share(r.total, p.samples),
  });
  return {
    pid: p.pid,
    rateHz: p.rateHz,
    method: p.method,
    startedAt: p.startedAt,
    durationMs: p.durationMs,
    samples: p.samples,
    stuckAfterSeconds: p.stuckAfterSeconds,
    threads: p.threads.map((t) => (t.at ? { ...t, at: withoutMapping(t.at) } : t)),
    functions: p.functions.map(withShares),
    lines: p.lines.map(withShares),
    ...(p.notes ? { notes: p.notes } : {}),
    ...(p.findings ? { findings: p.findings } : {}),
  };
}
