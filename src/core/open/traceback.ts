// A Python traceback, as the interpreter prints an uncaught exception (Ctrl-C of a stuck program
// prints where it was):
//   Exception in thread worker:                  (optional: threading's excepthook names the thread)
//   Traceback (most recent call last):
//     File "/app/main.py", line 27, in <module>
//       main()                                    (the source line; 3.11+ adds ^^^^ markers)
//   KeyboardInterrupt
// Chained exceptions ("During handling of the above exception…") are one thread at different
// moments: the last traceback of a chain is where it stands, the earlier ones become a note.
import type { Frame, ThreadStack } from '../model';
import { DumpBuilder, pythonFrame, type LineParser, type ParsedDump } from './parsedDump';

export const TRACEBACK_START = /^\s*(?:\+ Exception Group )?Traceback \(most recent call last\):\s*$/;
/** A frame line as tracebacks and `traceback.print_stack()` print it (faulthandler's has no comma). */
export const TRACEBACK_FRAME = /^ {2}File ".*", line \d+, in /;
/** 3.11+ exception groups: `+ Exception Group Traceback …`, then lines behind `|`, `+-+---- 1 ----` between. */
const GROUP_START = /^\s*\+ Exception Group Traceback/;
const GROUP_RULE = /^\s*(?:\|\s*)*\+[-+]*-{3}/;
const FRAME = /^\s*File "(.*)", line (\d+), in (.+?)\s*$/;
const CHAINED =
  /^(During handling of the above exception, another exception occurred:|The above exception was the direct cause of the following exception:)\s*$/;
const IN_THREAD = /^Exception in thread (.+?)(?: \(\d+\))?:\s*$/;
const IGNORED = /^Exception ignored in: /;
const EXCEPTION = /^([A-Za-z_][\w.]*)(?::\s?(.*))?$/;

interface Block {
  name?: string;
  frames: Frame[];
  exception?: string;
  earlier: string[];
  /** An exception group's members. */
  members: string[];
}

export class TracebackParser implements LineParser {
  private readonly b = new DumpBuilder();
  private readonly blocks: Block[] = [];
  private block?: Block;
  /** Inside a traceback's frames (until its exception line). */
  private inFrames = false;
  private chained = false;
  private pendingName?: string;
  private group = false;

  line(text: string, n: number): void {
    let m: RegExpExecArray | null;
    if (GROUP_START.test(text)) this.group = true;
    if (this.group) {
      if (GROUP_RULE.test(text)) return;
      text = text.replace(/^(\s*\|)+ ?/, '');
    }
    if (!this.inFrames && FRAME.test(text) && (!this.block || this.block.exception !== undefined || this.chained)) {
      // `traceback.print_stack()` (or a traceback without its header): frames with no exception.
      this.block = { name: this.pendingName, frames: [], earlier: [], members: [] };
      this.blocks.push(this.block);
      this.pendingName = undefined;
      this.chained = false;
      this.inFrames = true;
    }
    if (TRACEBACK_START.test(text)) {
      if (this.chained && this.block) {
        // The same thread, later: the chain's earlier exception is a note.
        if (this.block.exception) this.block.earlier.push(this.block.exception);
        this.block.frames = [];
        this.block.exception = undefined;
      } else {
        this.block = { name: this.pendingName, frames: [], earlier: [], members: [] };
        this.blocks.push(this.block);
      }
      this.pendingName = undefined;
      this.chained = false;
      this.inFrames = true;
      return;
    }
    if ((m = IN_THREAD.exec(text))) {
      this.pendingName = m[1];
      this.inFrames = false;
      return;
    }
    if (CHAINED.test(text.trim())) {
      this.chained = true;
      this.inFrames = false;
      return;
    }
    if (this.inFrames && this.block) {
      if ((m = FRAME.exec(text))) {
        this.block.frames.push(pythonFrame(m[3]!, m[1]!, Number(m[2])));
        return;
      }
      // Source lines and 3.11's ^^^^ markers are indented; the exception line is not.
      if (/^\s/.test(text) || !text.trim()) return;
      if (EXCEPTION.test(text) || /^[A-Za-z_][\w.]*$/.test(text.trim())) {
        this.block.exception = text.trim();
        this.inFrames = false;
        return;
      }
    }
    if (IGNORED.test(text) || !text.trim()) return;
    if (this.group && this.block && !this.inFrames && EXCEPTION.test(text)) {
      // An exception group's members without tracebacks of their own (`| ValueError: a`).
      this.block.members.push(text.trim());
      return;
    }
    this.b.skip(text, n);
  }

  finish(): ParsedDump {
    const withFrames = this.blocks.filter((blk) => blk.frames.length > 0);
    withFrames.forEach((blk, i) => {
      const frames = blk.frames.reverse();
      const innermost = frames[0];
      if (innermost && blk.exception) innermost.note = `raised ${blk.exception.length > 160 ? `${blk.exception.slice(0, 160)}…` : blk.exception}`;
      const outer = frames[frames.length - 1];
      const name = blk.name ?? (outer?.function === '<module>' ? 'MainThread' : `Traceback ${i + 1}`);
      const t: Omit<ThreadStack, 'frames'> = { id: i + 1, name, active: false, ownsGil: false };
      this.b.thread(t);
      for (const f of frames) this.b.frame(f);
      if (blk.members.length) {
        const shown = blk.members.slice(0, 10).map((x) => (x.length > 160 ? `${x.slice(0, 160)}…` : x));
        const more = blk.members.length > 10 ? ` and ${blk.members.length - 10} more` : '';
        this.b.notes.push(`${name}: the exception group holds ${shown.join('; ')}${more}.`);
      }
      for (const e of blk.earlier) this.b.notes.push(`${name}: an earlier exception in the chain: ${e}`);
    });
    return { threads: this.b.threads, method: 'traceback', backend: 'python', notes: this.b.remarks() };
  }
}
