// `snag sample --json`: the Profile without its internal frame table and stacks (save a
// speedscope file for those), with each count also as a percentage of all thread-samples.
import type { Profile } from '../model';
import { share } from './profileText';

export function profileToJson(p: Profile) {
  const withShares = <T extends { own: number; total: number }>(r: T) => ({
    ...r,
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
    threads: p.threads,
    functions: p.functions.map(withShares),
    lines: p.lines.map(withShares),
    ...(p.notes ? { notes: p.notes } : {}),
    ...(p.findings ? { findings: p.findings } : {}),
  };
}
