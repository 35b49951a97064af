// Own/total counts per line and per function over a set of aggregated stacks: the whole profile's
// tables, or one thread's (the Sampling view's thread picker), counted by the same rule. Given the
// stacks of the samples in which threads ran (not waited), each row also gets its CPU-only counts.
import type { FunctionStat, LineStat, Profile, ProfileStack } from '../model';

export interface HotRows {
  /** Thread-samples the stacks stand for (the 100 % of the shares). */
  samples: number;
  /** Thread-samples of the running threads (the 100 % of cpuOwn/cpuTotal); absent without them. */
  cpuSamples?: number;
  /** Sorted by own, then total, descending (as in Profile). */
  lines: LineStat[];
  functions: FunctionStat[];
}

const hottest = <T extends { own: number; total: number }>(a: T, b: T) => b.own - a.own || b.total - a.total;

/**
 * Own: samples with the line (function) innermost; total: samples with it anywhere on the stack,
 * counted once per sample (recursion does not count twice). A function's line is the one seen most.
 */
export function hotRows(frames: Profile['frames'], stacks: Iterable<ProfileStack>, activeStacks?: Iterable<ProfileStack>): HotRows {
  const wall = countRows(frames, stacks);
  if (!activeStacks) return wall;
  const cpu = countRows(frames, activeStacks);
  const cpuLines = new Map(cpu.lines.map((r) => [lineKey(r), r]));
  const cpuFns = new Map(cpu.functions.map((r) => [fnKey(r), r]));
  const withCpu = <T extends LineStat | FunctionStat>(r: T, c: T | undefined): T => ({ ...r, cpuOwn: c?.own ?? 0, cpuTotal: c?.total ?? 0 });
  const lines = wall.lines.map((r) => withCpu(r, cpuLines.get(lineKey(r))));
  const functions = wall.functions.map((r) => withCpu(r, cpuFns.get(fnKey(r))));
  // A line seen only while running (the two sets are sampled apart): a row of its own, 0 % of the wall clock.
  const seenLines = new Set(wall.lines.map(lineKey));
  const seenFns = new Set(wall.functions.map(fnKey));
  for (const r of cpu.lines) if (!seenLines.has(lineKey(r))) lines.push({ ...r, own: 0, total: 0, cpuOwn: r.own, cpuTotal: r.total });
  for (const r of cpu.functions) if (!seenFns.has(fnKey(r))) functions.push({ ...r, own: 0, total: 0, cpuOwn: r.own, cpuTotal: r.total });
  return { samples: wall.samples, cpuSamples: cpu.samples, lines: lines.sort(hottest), functions: functions.sort(hottest) };
}

const lineKey = (r: LineStat) => `${r.function}\0${r.file}\0${r.line}`;
const fnKey = (r: FunctionStat) => `${r.function}\0${r.file}`;

function countRows(frames: Profile['frames'], stacks: Iterable<ProfileStack>): HotRows {
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
