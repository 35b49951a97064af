// The report Snag's gdb script prints (JSON between two marker lines, so gdb's own chatter around
// it never matters) and its parser. Field names are the script's (see gdbScript.ts).
import { GDB_SCRIPT_BEGIN, GDB_SCRIPT_END } from './gdbScript';

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
  const report = JSON.parse(stdout.slice(start, end)) as GdbReport;
  if (typeof report !== 'object' || report === null || typeof report.pid !== 'number') throw new Error('gdb script printed a report without a pid');
  report.notes ??= [];
  report.states ??= {};
  for (const t of report.threads ?? []) t.notes ??= [];
  return report;
}
