// The report Snag's gdb script prints (JSON between two marker lines, so gdb's own chatter around
// it never matters) and its parser. Field names are the script's (see gdbScript.ts).
import { parseToolJson, Shape } from '../validate/toolJson';
import type { DumpProgress } from '../model';
import { GDB_SCRIPT_BEGIN, GDB_SCRIPT_END, GDB_SCRIPT_PROGRESS } from './gdbScript';

export interface GdbNativeFrame {
  /** '' when gdb has no symbol for the address. */
  function: string;
  pc: string;
  /** Source file from debug info (absolute when gdb knows the build directory). */
  file?: string;
  line: number;
  /** The shared object or executable the code lives in. */
  library?: string;
  /** A frame gdb synthesised for an inlined call (same pc as the frame below it). */
  inline?: boolean;
  /** A _PyEval_EvalFrameDefault frame: Python frames run here. */
  eval?: boolean;
}

export interface GdbPythonFrame {
  function: string;
  file: string;
  /** 0 when the line could not be computed. */
  line: number;
  locals?: { name: string; repr: string; arg: boolean }[];
}

export interface GdbThread {
  num: number;
  lwp: number;
  /** pthread_t, which is what Python calls the thread's ident. */
  pthread?: number;
  /** The kernel's name for the thread (comm). */
  name?: string;
  /** threading.Thread's name, when the script could read it. */
  pythonName?: string | null;
  gil?: boolean;
  /** Innermost first. */
  frames: GdbNativeFrame[];
  /** Python frames per eval frame, innermost first: python[i] runs in the i-th `eval` frame. */
  python?: GdbPythonFrame[][];
  notes: string[];
}

export interface GdbReport {
  version: number;
  pid: number;
  /** Kernel state letter per task id, read before attaching. */
  states: Record<string, string>;
  attached: boolean;
  detached?: boolean;
  detachError?: string;
  error?: { stage: 'attach' | 'read'; message: string };
  pythonVersion?: string | null;
  /** 'py-bt' (the interpreter's gdb extension), 'frame-objects' (Snag's reader) or 'native'. */
  method?: string;
  /** The python-gdb.py that was loaded (method py-bt). */
  extension?: string;
  /** Set when Snag's reader was chosen over the extension for this many threads (method frame-objects). */
  manyThreads?: number;
  notes: string[];
  threads?: GdbThread[];
}

/** The report in gdb's stdout, or undefined when the script never got to print one. */
export function parseGdbReport(stdout: string): GdbReport | undefined {
  const begin = stdout.lastIndexOf(`\n${GDB_SCRIPT_BEGIN}\n`);
  if (begin < 0) return undefined;
  const start = begin + GDB_SCRIPT_BEGIN.length + 2;
  const end = stdout.indexOf(`\n${GDB_SCRIPT_END}`, start);
  if (end < 0) return undefined;
  const shape = new Shape('gdb', "Snag's gdb report");
  const report = shape.object(parseToolJson('gdb', stdout.slice(start, end)), 'the report') as unknown as GdbReport;
  shape.number(report.pid, 'pid');
  if (report.manyThreads !== undefined && report.manyThreads !== null) shape.number(report.manyThreads, 'manyThreads');
  report.notes = shape.list(report.notes ?? [], 'notes').map((n, i) => shape.string(n, `note ${i + 1}`));
  report.states = shape.object(report.states ?? {}, 'states') as Record<string, string>;
  if (report.error !== undefined && report.error !== null) shape.string(shape.object(report.error, 'error').message, "the error's message");
  if (report.threads !== undefined && report.threads !== null)
    shape.list(report.threads, 'threads').forEach((raw, i) => checkThread(shape.at(`thread ${i + 1}`), raw));
  return report;
}

/** What gdbMerge reads from a thread, checked (the script is Snag's, but it runs on the target). */
function checkThread(shape: Shape, raw: unknown): void {
  const t = shape.object(raw, 'the thread') as unknown as GdbThread;
  shape.number(t.num, 'num');
  shape.number(t.lwp, 'lwp');
  t.notes = shape.list(t.notes ?? [], 'notes').map((n, i) => shape.string(n, `note ${i + 1}`));
  shape.list(t.frames, 'frames').forEach((f, j) => {
    const frame = shape.object(f, `frame ${j + 1}`) as unknown as GdbNativeFrame;
    shape.string(frame.function, `frame ${j + 1}'s function`);
    shape.number(frame.line, `frame ${j + 1}'s line`);
  });
  if (t.python !== undefined && t.python !== null)
    shape.list(t.python, 'python').forEach((group, j) =>
      shape.list(group, `python frames ${j + 1}`).forEach((f, k) => {
        const frame = shape.object(f, `python frame ${k + 1}`) as unknown as GdbPythonFrame;
        shape.string(frame.function, `python frame ${k + 1}'s function`);
        shape.string(frame.file, `python frame ${k + 1}'s file`);
        shape.number(frame.line, `python frame ${k + 1}'s line`);
        if (frame.locals !== undefined && frame.locals !== null) shape.list(frame.locals, `python frame ${k + 1}'s locals`);
      }),
    );
}

/** A progress line of the program's stderr (`@@SNAG-GDB-PROGRESS@@ {"threads": 120, "of": 501}`), or undefined. */
export function parseGdbProgress(line: string): DumpProgress | undefined {
  if (!line.startsWith(GDB_SCRIPT_PROGRESS + ' ')) return undefined;
  try {
    const p = JSON.parse(line.slice(GDB_SCRIPT_PROGRESS.length + 1)) as { threads?: unknown; of?: unknown };
    const ok = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;
    if (!ok(p.threads) || !ok(p.of) || p.threads > p.of) return undefined;
    return { threadsRead: p.threads, threads: p.of };
  } catch {
    return undefined;
  }
}
