// faulthandler's output: `python -X faulthandler` on a fatal signal (SIGABRT, SIGSEGV),
// faulthandler.dump_traceback(all_threads=True), dump_traceback_later() and register():
//   Fatal Python error: Aborted                   (or "Timeout (0:00:02)!", or nothing)
//
//   Thread 0x00007f4022dde6c0 (most recent call first):
//     File "deadlock.py", line 20 in transfer_b_to_a
//
//   Current thread 0x00007f402381cb80 (most recent call first):
//     File "deadlock.py", line 34 in main
// Threads have no names: the one whose outermost frame is a module's top level is MainThread.
import { DumpBuilder, looksLikeMain, pythonFrame, type LineParser, type ParsedDump } from './parsedDump';

export const FAULTHANDLER_THREAD = /^(Current thread|Thread) (0x[0-9a-fA-F]+)(?: \[(.*?)\])? \(most recent call first\):\s*$/;
export const FAULTHANDLER_STACK = /^Stack \(most recent call first\):\s*$/;
const FRAME = /^ {2}File "(.*)", line (\d+|\?\?\?) in (.+?)\s*$/;
const HEADER =
  /^(Fatal Python error: |Timeout \(\d+:\d\d:\d\d(\.\d+)?\)!|Python runtime state: |Extension modules: |Current thread's C stack trace|Windows fatal exception: )/;

export class FaulthandlerParser implements LineParser {
  private readonly b = new DumpBuilder();
  private current?: number;
  private header?: string;
  private count = 0;
  private readonly cut = new Set<{ name: string }>();

  line(text: string, n: number): void {
    let m: RegExpExecArray | null;
    if ((m = FAULTHANDLER_THREAD.exec(text))) {
      const id = Number(m[2]);
      const t = this.b.thread({ id, name: m[3] || `Thread ${m[2]}`, active: false, ownsGil: false });
      if (t && m[1] === 'Current thread') this.current = id;
      this.count++;
      return;
    }
    if (FAULTHANDLER_STACK.test(text)) {
      this.b.thread({ id: ++this.count, name: 'Current thread', active: false, ownsGil: false });
      return;
    }
    if ((m = FRAME.exec(text)) && this.b.currentThread) {
      this.b.frame(pythonFrame(m[3]!, m[1]!, m[2] === '???' ? 0 : Number(m[2])));
      return;
    }
    if (/^ {2}\.\.\.\s*$/.test(text) && this.b.currentThread) {
      // faulthandler writes at most 100 frames a thread, then `...`: the outer frames are lost.
      this.cut.add(this.b.currentThread);
      return;
    }
    if (/^ {2}<no Python frame>\s*$/.test(text)) return;
    if (HEADER.test(text)) {
      if (!/^(Extension modules|Python runtime state)/.test(text)) this.header ??= text.trim();
      return;
    }
    this.b.skip(text, n);
  }

  finish(): ParsedDump {
    const threads = this.b.threads;
    // Names are not in the output: the thread running the script's top level is the main one.
    const main = threads.find(looksLikeMain);
    if (main && /^(Thread 0x|Current thread$)/.test(main.name)) main.name = 'MainThread';
    const notes = this.b.remarks();
    for (const t of this.cut)
      notes.push(`${t.name}'s stack is cut: faulthandler writes at most 100 frames a thread ("..."); its outer frames are not in the text.`);
    if (this.header) notes.unshift(`faulthandler said: ${this.header}`);
    if (this.current !== undefined) {
      const t = threads.find((x) => x.id === this.current);
      if (t) notes.push(`${t.name} is the thread that was running when faulthandler wrote this (its "Current thread").`);
    }
    return {
      threads: [...threads.filter((t) => t === main), ...threads.filter((t) => t !== main)],
      method: 'faulthandler',
      backend: 'python',
      notes,
    };
  }
}
