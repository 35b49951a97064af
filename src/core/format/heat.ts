// Which source lines of a profile get heat, and how much: a level 1–5 from the line's own share
// (where the thread was when sampled) and the after-text. Lines seen only as callers get text, no tint.
import type { LineStat, Profile } from '../model';
import { share } from './profileText';

/** Lower bounds of own share (%) for levels 1..5. */
export const HEAT_LEVELS = [0.5, 5, 15, 30, 50] as const;
/** Lines below this total share (%) get nothing: noise. */
export const MIN_TOTAL_PERCENT = 0.5;

export interface HeatMark {
  line: number;
  /** 0: a caller line (text only); 1–5: tint strength. */
  level: number;
  ownPercent: number;
  totalPercent: number;
  /** No sample of the line was on the CPU (the profile counts active samples): its threads waited there. */
  waiting: boolean;
  text: string;
  stat: LineStat;
}

export function heatLevel(ownPercent: number): number {
  let level = 0;
  HEAT_LEVELS.forEach((min, i) => {
    if (ownPercent >= min) level = i + 1;
  });
  return level;
}

/**
 * Heat per document (by default the local file's absolute path; the extension adds read-only
 * remote documents) → marks by line, from the profile's lines.
 */
export function heatByFile(p: Profile, documentOf: (l: LineStat) => string | undefined = (l) => l.localFile): Map<string, HeatMark[]> {
  const out = new Map<string, HeatMark[]>();
  const byLine = new Map<string, HeatMark>();
  for (const l of p.lines) {
    const doc = l.line ? documentOf(l) : undefined;
    if (!doc) continue;
    const ownPercent = share(l.own, p.samples);
    const totalPercent = share(l.total, p.samples);
    if (totalPercent < MIN_TOTAL_PERCENT) continue;
    const key = `${doc}:${l.line}`;
    const prev = byLine.get(key);
    // Two functions on one line (a lambda): add them up.
    const own = (prev?.ownPercent ?? 0) + ownPercent;
    const total = Math.min(100, (prev?.totalPercent ?? 0) + totalPercent);
    // Never on the CPU (py-spy counts a waiting thread's samples too): its shares are of the wall clock.
    const waiting = l.cpuTotal === 0 && (prev ? prev.waiting : true);
    const mark: HeatMark = {
      line: l.line,
      level: heatLevel(own),
      ownPercent: own,
      totalPercent: total,
      waiting,
      text: heatText(own, total, waiting),
      stat: l,
    };
    if (!prev) (out.get(doc) ?? out.set(doc, []).get(doc)!).push(mark);
    else Object.assign(prev, mark);
    byLine.set(key, prev ?? mark);
  }
  return out;
}

/**
 * Short, as it shares the line's end with the dump's marker: the hover has the full sentence. A
 * line where threads only waited (`waiting`: none of its samples on the CPU) says its shares are of
 * the wall clock, not of the CPU: a process at 0 % CPU is not "hot" anywhere.
 */
export function heatText(ownPercent: number, totalPercent: number, waiting = false): string {
  const pct = (n: number) => `${n.toFixed(1)} %`;
  const of = waiting ? ' wall-clock' : '';
  if (ownPercent < MIN_TOTAL_PERCENT) return `↳ ${pct(totalPercent)}${of} in calls`;
  const mark = waiting ? '⏳' : '🔥';
  return totalPercent - ownPercent >= 0.1 ? `${mark} ${pct(ownPercent)} · ${pct(totalPercent)}${of} with calls` : `${mark} ${pct(ownPercent)}${of}`;
}
