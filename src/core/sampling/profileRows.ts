// Own/total counts per line and per function over a set of aggregated stacks: the whole profile's
// tables, or one thread's (the Sampling view's thread picker), counted by the same rule.
import type { FunctionStat, LineStat, Profile, ProfileStack } from '../model';

export interface HotRows {
  /** Thread-samples the stacks stand for (the 100 % of the shares). */
  samples: number;
  /** Sorted by own, then total, descending (as in Profile). */
  lines: LineStat[];
  functions: FunctionStat[];
}

const hottest = <T extends { own: number; total: number }>(a: T, b: T) => b.own - a.own || b.total - a.total;

/**
 * Own: samples with the line (function) innermost; total: samples with it anywhere on the stack,
 * counted once per sample (recursion does not count twice). A function's line is the one seen most.
 */
export function hotRows(frames: Profile['frames'], stacks: Iterable<ProfileStack>): HotRows {
  const lines = new Map<number, LineStat>();
  const functions = new Map<string, FunctionStat & { lineCounts: Map<number, number> }>();
  let samples = 0;
  for (const s of stacks) {
    samples += s.count;
    const seenLines = new Set<number>();
    const seenFns = new Set<string>();
    s.frames.forEach((fi, depth) => {
      const f = frames[fi]!;
      const local = { ...(f.localFile ? { localFile: f.localFile } : {}), ...(f.mapping ? { mapping: f.mapping } : {}) };
      let ls = lines.get(fi);
      if (!ls) lines.set(fi, (ls = { file: f.file, line: f.line, function: f.function, isUserCode: f.isUserCode, own: 0, total: 0, ...local }));
      if (depth === 0) ls.own += s.count;
      if (!seenLines.has(fi)) {
        seenLines.add(fi);
        ls.total += s.count;
      }
      const fk = `${f.function}\0${f.file}`;
      let fs = functions.get(fk);
      if (!fs)
        functions.set(
          fk,
          (fs = { function: f.function, file: f.file, line: f.line, isUserCode: f.isUserCode, own: 0, total: 0, lineCounts: new Map(), ...local }),
        );
      if (depth === 0) fs.own += s.count;
      fs.lineCounts.set(f.line, (fs.lineCounts.get(f.line) ?? 0) + s.count);
      if (!seenFns.has(fk)) {
        seenFns.add(fk);
        fs.total += s.count;
      }
    });
  }
  const fnList = [...functions.values()].map(({ lineCounts, ...fn }) => {
    let best = fn.line;
    let most = -1;
    for (const [line, n] of lineCounts) if (n > most) [best, most] = [line, n];
    return { ...fn, line: best };
  });
  return { samples, lines: [...lines.values()].sort(hottest), functions: fnList.sort(hottest) };
}
