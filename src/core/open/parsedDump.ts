// What a parser of an opened dump hands back: threads and the facts the text said about its
// process, before source mapping and findings. Parsers read one line at a time (LineParser) so a
// huge input never needs a second copy; the builder bounds threads and frames.
import type { Frame, ThreadStack } from '../model';
import { MAX_OPEN_FRAMES, MAX_OPEN_THREADS } from './openLimits';

export interface ParsedDump {
  threads: ThreadStack[];
  pid?: number;
  pythonVersion?: string;
  /** The process's command line, when the text says it (py-spy's "Process N: …"). */
  command?: string;
  /** When the dump was taken, when the text says it (a saved Snag JSON). */
  takenAt?: string;
  /** How the stacks were read, as StackDump.method (`py-bt`, `thread apply all bt`). */
  method?: string;
  notes: string[];
  /** A saved Snag dump keeps its own reader, findings and mapping. */
  backend?: 'py-spy' | 'gdb' | 'python';
}

/** A line-oriented parser: fed each line (without its newline, 1-based number), then finished. */
export interface LineParser {
  line(text: string, n: number): void;
  finish(): ParsedDump;
}

/** Collects threads and frames within the caps and counts lines no rule recognised. */
export class DumpBuilder {
  readonly threads: ThreadStack[] = [];
  readonly notes: string[] = [];
  private droppedThreads = 0;
  private cutThreads = 0;
  private current?: ThreadStack;
  private cutCurrent = false;
  /** Lines that looked like nothing the format has (shown in a note: the first one and how many). */
  private skipped = 0;
  private firstSkipped?: { n: number; text: string };

  thread(t: Omit<ThreadStack, 'frames'> & { frames?: Frame[] }): ThreadStack | undefined {
    this.current = undefined;
    this.cutCurrent = false;
    if (this.threads.length >= MAX_OPEN_THREADS) {
      this.droppedThreads++;
      return undefined;
    }
    const thread: ThreadStack = { ...t, frames: t.frames ?? [] };
    this.threads.push(thread);
    this.current = thread;
    return thread;
  }

  get currentThread(): ThreadStack | undefined {
    return this.current;
  }

  frame(f: Frame): Frame | undefined {
    const t = this.current;
    if (!t) return undefined;
    if (t.frames.length >= MAX_OPEN_FRAMES) {
      if (!this.cutCurrent) this.cutThreads++;
      this.cutCurrent = true;
      return undefined;
    }
    t.frames.push(f);
    return f;
  }

  skip(text: string, n: number): void {
    if (!text.trim()) return;
    this.skipped++;
    this.firstSkipped ??= { n, text: text.length > 80 ? `${text.slice(0, 80)}…` : text };
  }

  /** Notes about what was left out, to add to the dump's notes. */
  remarks(): string[] {
    const out = [...this.notes];
    if (this.droppedThreads) out.push(`Only the first ${MAX_OPEN_THREADS} threads were kept; ${this.droppedThreads} more were left out.`);
    if (this.cutThreads)
      out.push(
        `${this.cutThreads} thread${this.cutThreads === 1 ? '' : 's'} had more than ${MAX_OPEN_FRAMES} frames: only the innermost ${MAX_OPEN_FRAMES} were kept.`,
      );
    if (this.skipped)
      out.push(
        `${this.skipped} line${this.skipped === 1 ? ' was' : 's were'} not recognised and skipped (the first, line ${this.firstSkipped!.n}: "${this.firstSkipped!.text}").`,
      );
    return out;
  }
}

/** A Python frame as the text formats give it (file, line, function), before mapping. */
export function pythonFrame(func: string, file: string, line: number): Frame {
  return { function: func, file, line, native: false, isUserCode: false };
}

/**
 * The main thread of a dump that does not name threads (faulthandler, gdb): the one whose outermost
 * frame is a module's top level (`<module>`), else undefined.
 */
export function looksLikeMain(t: ThreadStack): boolean {
  const python = t.frames.filter((f) => !f.native);
  const outer = python[python.length - 1];
  return !!outer && outer.function === '<module>';
}
