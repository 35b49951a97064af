// Where a dump's frames land in the user's files: per local file, per line, which threads stand
// there and whether it is a thread's innermost frame. Editors decorate these lines and the
// CodeLens counts them; kept free of vscode so plain Node tests it.
import { standsAt } from '../stacks/standing';
import type { Frame, StackDump, ThreadStack } from '../model';
import { safeText } from '../text/safeText';

export interface ThreadAtLine {
  thread: ThreadStack;
  /** Index into thread.frames (0 = innermost). */
  frameIndex: number;
  frame: Frame;
  /** This is where the thread is stopped as far as the user's code goes. */
  innermost: boolean;
}

export interface LineMark {
  /** 1-based. */
  line: number;
  threads: ThreadAtLine[];
  /** Some thread's innermost frame is here (the line stands out). */
  innermost: boolean;
}

/** The frame that stands for "where this thread is" (stacks/standing.ts: the one rule). */
export function stoppedFrame(t: ThreadStack): Frame | undefined {
  return standsAt(t.frames);
}

/** Which document a frame's line is in: its local file, or (the extension's) a read-only remote one. */
export type DocumentOf = (frame: Frame) => string | undefined;

/**
 * Document (localFile by default) → marks sorted by line. A thread appears once per line even
 * when recursion repeats it.
 */
export function marksByFile(dump: StackDump, documentOf: DocumentOf = (f) => f.localFile): Map<string, LineMark[]> {
  const byFile = new Map<string, Map<number, LineMark>>();
  for (const thread of dump.threads) {
    const stopped = stoppedFrame(thread);
    thread.frames.forEach((frame, frameIndex) => {
      const doc = frame.line > 0 ? documentOf(frame) : undefined;
      if (!doc) return;
      let lines = byFile.get(doc);
      if (!lines) byFile.set(doc, (lines = new Map()));
      let mark = lines.get(frame.line);
      if (!mark) lines.set(frame.line, (mark = { line: frame.line, threads: [], innermost: false }));
      const innermost = frame === stopped;
      const seen = mark.threads.find((x) => x.thread === thread);
      if (seen) {
        if (innermost) Object.assign(seen, { frameIndex, frame, innermost });
      } else mark.threads.push({ thread, frameIndex, frame, innermost });
      mark.innermost ||= innermost;
    });
  }
  const out = new Map<string, LineMark[]>();
  for (const [file, lines] of byFile)
    out.set(
      file,
      [...lines.values()].sort((a, b) => a.line - b.line),
    );
  return out;
}

/** Seconds as people say them: `41 s`, `3 min`, `2 h`. */
export function formatWait(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

/**
 * The dimmed text after a marked line: `⏸ MainThread · idle` for one thread,
 * `⏸ 3 threads: MainThread, worker-1, worker-2` for several. `waited` (thread id → seconds the
 * thread has been at the same place across earlier dumps) adds `· same place ≥ 41 s`.
 */
export function afterText(mark: LineMark, waited?: ReadonlyMap<number, number>): string {
  const ts = mark.threads;
  if (ts.length === 1) {
    const { thread } = ts[0]!;
    const bits = [safeText(thread.name), thread.active ? 'active' : 'idle'];
    const w = waited?.get(thread.id);
    if (w !== undefined && w >= 1) bits.push(`same place ≥ ${formatWait(w)}`);
    return `⏸ ${bits.join(' · ')}`;
  }
  const names = ts.map((x) => safeText(x.thread.name));
  const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? ', …' : '');
  return `⏸ ${ts.length} threads: ${shown}`;
}

/** Distinct threads with a frame in one file (for "N threads stopped in this file"). */
export function threadsInFile(marks: readonly LineMark[]): ThreadStack[] {
  const seen = new Set<ThreadStack>();
  for (const m of marks) for (const t of m.threads) seen.add(t.thread);
  return [...seen];
}
