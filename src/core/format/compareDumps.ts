// "Still in the same place?" — two dumps of one process compared thread by thread. A thread is
// matched by its id (else its name) and counts as unchanged when its Python stack is identical
// (native frames are ignored: their addresses and depth vary between reads of the same wait).
import type { Frame, StackDump, ThreadStack } from '../model';
import { frameLocation } from './dumpText';
import { formatWait, stoppedFrame } from './frameMarks';
import { escapeMarkdown, tableCode } from '../text/markdown';

export type ThreadChange = 'same' | 'moved' | 'new' | 'gone';

export interface ThreadComparison {
  name: string;
  id: number;
  change: ThreadChange;
  /** Where the thread stood in the older / newer dump (its stopped frame). */
  before?: Frame;
  after?: Frame;
}

export interface DumpComparison {
  pid: number;
  /** Seconds between the two dumps. */
  apartSeconds: number;
  threads: ThreadComparison[];
  /** One sentence: "2 of 3 threads are still in the same place after 41 s". */
  summary: string;
}

/** The stack as a comparable string: Python frames' function, file and line, innermost first. */
export function stackSignature(t: ThreadStack): string {
  return t.frames
    .filter((f) => !f.native)
    .map((f) => `${f.function}\u0000${f.file}\u0000${f.line}`)
    .join('\u0001');
}

function matchThread(t: ThreadStack, among: readonly ThreadStack[]): ThreadStack | undefined {
  return among.find((o) => o.id === t.id) ?? among.find((o) => o.name === t.name && !among.some((x) => x !== o && x.name === t.name));
}

export function compareDumps(older: StackDump, newer: StackDump): DumpComparison {
  const apartSeconds = Math.max(0, (Date.parse(newer.takenAt) - Date.parse(older.takenAt)) / 1000);
  const threads: ThreadComparison[] = [];
  const matchedOld = new Set<ThreadStack>();
  for (const t of newer.threads) {
    const o = matchThread(t, older.threads);
    if (!o) {
      threads.push({ name: t.name, id: t.id, change: 'new', after: stoppedFrame(t) ?? t.frames[0] });
      continue;
    }
    matchedOld.add(o);
    threads.push({
      name: t.name,
      id: t.id,
      change: stackSignature(o) === stackSignature(t) ? 'same' : 'moved',
      before: stoppedFrame(o) ?? o.frames[0],
      after: stoppedFrame(t) ?? t.frames[0],
    });
  }
  for (const o of older.threads) if (!matchedOld.has(o)) threads.push({ name: o.name, id: o.id, change: 'gone', before: stoppedFrame(o) ?? o.frames[0] });
  const same = threads.filter((t) => t.change === 'same').length;
  const alive = threads.filter((t) => t.change !== 'gone').length;
  const after = formatWait(apartSeconds);
  const summary =
    alive === 0
      ? `No threads to compare.`
      : same === alive
        ? `All ${alive} thread${alive === 1 ? ' is' : 's are'} still in the same place after ${after}: the process looks stuck.`
        : same === 0
          ? `Every thread moved in ${after}: the process is doing work.`
          : `${same} of ${alive} threads are still in the same place after ${after}.`;
  return { pid: newer.pid, apartSeconds, threads, summary };
}

/**
 * Seconds each thread of the newest dump has stood in the same place, over a process's dumps
 * (newest first): from the oldest consecutive dump with the identical stack up to the newest.
 */
export function samePlaceSeconds(dumps: readonly StackDump[]): Map<number, number> {
  const out = new Map<number, number>();
  const [newest, ...older] = dumps;
  if (!newest) return out;
  for (const t of newest.threads) {
    const sig = stackSignature(t);
    let since = newest.takenAt;
    for (const d of older) {
      const o = matchThread(t, d.threads);
      if (!o || stackSignature(o) !== sig) break;
      since = d.takenAt;
    }
    const s = (Date.parse(newest.takenAt) - Date.parse(since)) / 1000;
    if (s > 0) out.set(t.id, s);
  }
  return out;
}

const WORDS: Record<ThreadChange, string> = { same: 'same place', moved: 'moved', new: 'new thread', gone: 'ended' };

// Names from the target sit in table cells: escaped (a `|` would split the cell, a backtick end
// the code span, `[x](…)` make a link), with their control and bidi characters neutralised.
function at(f: Frame | undefined): string {
  return f ? `${tableCode(f.function)} (${escapeMarkdown(frameLocation(f))})` : '—';
}

export function comparisonToMarkdown(c: DumpComparison): string {
  const out = [`# Process ${c.pid}: still in the same place?`, '', c.summary, '', '| thread | change | before | now |', '| --- | --- | --- | --- |'];
  for (const t of c.threads)
    out.push(`| ${escapeMarkdown(t.name)} | ${t.change === 'same' ? '**same place**' : WORDS[t.change]} | ${at(t.before)} | ${at(t.after)} |`);
  return out.join('\n') + '\n';
}
