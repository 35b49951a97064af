// `py-spy dump` text (also with --locals and --native), as py-spy 0.3/0.4 print it:
//   Process 5362: python3 worker.py
//   Python v3.11.7 (/usr/bin/python3.11)
//
//   Thread 5362 (idle): "MainThread"
//       fetch_reply (socket_recv.py:13)
//           Arguments:
//               sock: <socket at 0x7f…>
//       recv (libc.so.6)                       (a native frame: no line, a shared object)
import type { LocalVariable, ThreadStack } from '../model';
import { DumpBuilder, pythonFrame, type LineParser, type ParsedDump } from './parsedDump';

const PROCESS = /^Process (\d+): ?(.*)$/;
const PYTHON = /^Python v(\S+)(?: \((.*)\))?$/;
/** `Thread 5362 (idle): "MainThread"`; the id is hex (`0x7F…`) where py-spy has no OS thread id. */
export const PYSPY_THREAD = /^Thread (\d+|0[xX][0-9a-fA-F]+)(?: \((idle|active|active\+gil|gil)\))?(?:: "(.*)")?\s*$/;
/** A header whose name's closing quote is not on its line: the name holds a line break. */
const PYSPY_THREAD_OPEN = /^Thread (\d+|0[xX][0-9a-fA-F]+)(?: \((idle|active|active\+gil|gil)\))?: "(.*)$/;
/** Lines a multi-line thread name may span before Snag stops reading it as a name. */
const MAX_NAME_LINES = 8;
const FRAME = /^ {4}(\S.*) \(([^()]*?)(?::(\d+))?\)\s*$/;
const SECTION = /^ {8}(Arguments|Locals):\s*$/;
const LOCAL = /^ {12}([^:\s][^:]*?): ?(.*)$/;
const PY_FILE = /\.(py|pyw|pyx)$|^<.*>$/;
/** A C/C++ source file (py-spy --native names the C function's file and line: `sock_call_ex (socketmodule.c:935)`). */
const NATIVE_SOURCE = /\.(c|h|cc|cpp|cxx|hpp|hh|hxx|inc|rs|S|s)$/;

export class PySpyTextParser implements LineParser {
  private readonly b = new DumpBuilder();
  private pid?: number;
  private command?: string;
  private version?: string;
  private processes = 0;
  private section?: 'Arguments' | 'Locals';
  /** A thread whose name goes on past its header line, and the name's lines so far. */
  private openName?: { thread: ThreadStack; first: string; lines: { text: string; n: number }[] };
  private multiLineNames = 0;

  line(text: string, n: number): void {
    let m: RegExpExecArray | null;
    if (this.openName) {
      // The name goes on up to the last line closing a quote before the thread's first frame: a
      // name can hold `\nThread 1 (idle): "fake"`, which must neither drop the real thread nor
      // forge another.
      if (!(FRAME.test(text) && !/"\s*$/.test(text)) && this.openName.lines.length < MAX_NAME_LINES) {
        this.openName.lines.push({ text, n });
        return;
      }
      this.closeName();
    }
    if ((m = PROCESS.exec(text))) {
      // `--subprocesses` prints one block per process: the first is the one asked for.
      if (this.processes++ === 0) [this.pid, this.command] = [Number(m[1]), m[2]];
      return;
    }
    if ((m = PYTHON.exec(text))) {
      this.version ??= m[1];
      return;
    }
    if ((m = PYSPY_THREAD.exec(text))) {
      const hex = /^0x/i.test(m[1]!);
      const id = Number(m[1]);
      const status = m[2] ?? 'idle';
      this.b.thread({
        id,
        ...(hex ? {} : { nativeId: id }),
        name: m[3] ?? `Thread ${m[1]}`,
        active: status.startsWith('active'),
        ownsGil: status.endsWith('gil'),
      });
      this.section = undefined;
      return;
    }
    if ((m = PYSPY_THREAD_OPEN.exec(text))) {
      const hex = /^0x/i.test(m[1]!);
      const id = Number(m[1]);
      const status = m[2] ?? 'idle';
      const thread = this.b.thread({ id, ...(hex ? {} : { nativeId: id }), name: m[3]!, active: status.startsWith('active'), ownsGil: status.endsWith('gil') });
      if (thread) {
        this.openName = { thread, first: m[3]!, lines: [] };
        this.multiLineNames++;
      }
      this.section = undefined;
      return;
    }
    const frames = this.b.currentThread?.frames;
    if ((m = SECTION.exec(text)) && frames?.length) {
      this.section = m[1] as 'Arguments' | 'Locals';
      return;
    }
    if (this.section && (m = LOCAL.exec(text)) && frames?.length) {
      const f = frames[frames.length - 1]!;
      const local: LocalVariable = { name: m[1]!, repr: m[2]!, isArg: this.section === 'Arguments' };
      (f.locals ??= []).push(local);
      return;
    }
    if ((m = FRAME.exec(text)) && this.b.currentThread) {
      this.section = undefined;
      const [, func, file, line] = m;
      const source = NATIVE_SOURCE.test(file!) && !PY_FILE.test(file!);
      const native = source || (line === undefined && !PY_FILE.test(file!));
      if (source) this.b.frame({ function: func!, file: file!, line: line === undefined ? 0 : Number(line), native: true, isUserCode: false });
      else if (native) this.b.frame({ function: func!, file: file!, line: 0, native: true, module: file!, isUserCode: false });
      else this.b.frame(pythonFrame(func!, file!, line === undefined ? 0 : Number(line)));
      return;
    }
    if (/^-+$/.test(text.trim()) || /^Parent Process \d+/.test(text)) return;
    this.b.skip(text, n);
  }

  /** Ends a multi-line name at its last closing quote; the lines after it are read again. */
  private closeName(): void {
    const open = this.openName;
    if (!open) return;
    this.openName = undefined;
    let last = -1;
    open.lines.forEach((l, i) => {
      if (/"\s*$/.test(l.text)) last = i;
    });
    if (last >= 0) open.thread.name = [open.first, ...open.lines.slice(0, last + 1).map((l) => l.text)].join('\n').replace(/"\s*$/, '');
    for (const l of open.lines.slice(last + 1)) this.line(l.text, l.n);
  }

  finish(): ParsedDump {
    this.closeName();
    const notes = this.b.remarks();
    if (this.processes > 1)
      notes.unshift(`The text holds ${this.processes} processes (py-spy --subprocesses); their threads are shown together under process ${this.pid}.`);
    if (this.multiLineNames)
      notes.push(
        `${this.multiLineNames === 1 ? 'A thread name spans' : `${this.multiLineNames} thread names span`} several lines: py-spy's text cannot say exactly where a name ends (a name may even look like another thread); py-spy dump --json is exact.`,
      );
    const threads = this.b.threads;
    return {
      threads: [...threads.filter((t) => t.name === 'MainThread'), ...threads.filter((t) => t.name !== 'MainThread')],
      pid: this.pid,
      command: this.command,
      pythonVersion: this.version,
      method: 'py-spy dump text',
      backend: 'py-spy',
      notes,
    };
  }
}
