// gdb's report → ThreadStacks: each thread's native frames with the Python frames put where they
// run. A `_PyEval_EvalFrameDefault` frame runs one or more Python frames (3.11+ runs
// Python-to-Python calls in the same C frame); those frames take its place, innermost first.
import type { Frame, LocalVariable, ThreadStack } from '../model';
import type { GdbNativeFrame, GdbPythonFrame, GdbReport, GdbThread } from './gdbParse';

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

export function nativeFrame(f: GdbNativeFrame): Frame {
  const frame: Frame = {
    // No symbol: show the address, as py-spy does, rather than an empty name.
    function: f.function || f.pc,
    file: f.file ?? f.library ?? '',
    line: f.file ? f.line : 0,
    native: true,
    isUserCode: false,
  };
  if (f.library) frame.module = basename(f.library);
  if (f.pc) frame.address = f.pc;
  return frame;
}

export function pythonFrame(f: GdbPythonFrame): Frame {
  const frame: Frame = { function: f.function, file: f.file, line: f.line, native: false, isUserCode: false };
  if (f.locals) frame.locals = f.locals.map((l): LocalVariable => ({ name: l.name, repr: l.repr, isArg: l.arg }));
  return frame;
}

/** One thread's frames, innermost first, and remarks about anything that did not line up. */
export function mergeFrames(t: GdbThread): { frames: Frame[]; notes: string[] } {
  const chunks = t.python ?? [];
  const frames: Frame[] = [];
  const notes: string[] = [];
  let next = 0;
  for (const f of t.frames) {
    if (f.eval && next < chunks.length) {
      const chunk = chunks[next++]!;
      if (chunk.length > 0) {
        frames.push(...chunk.map(pythonFrame));
        continue;
      }
    }
    frames.push(nativeFrame(f));
  }
  // More Python runs than eval frames: gdb's unwinding stopped early. Keep them, outermost last.
  const rest = chunks.slice(next).flat();
  if (rest.length > 0) {
    frames.push(...rest.map(pythonFrame));
    notes.push(
      `${rest.length} Python frame${rest.length === 1 ? '' : 's'} could not be placed among the native frames (gdb's unwinding stopped early); shown last`,
    );
  }
  return { frames, notes };
}

function threadName(t: GdbThread, pid: number, mainComm: string | undefined): string {
  if (t.pythonName) return t.pythonName;
  if (t.lwp === pid) return 'MainThread';
  // A name the program gave the thread itself (pthread_setname_np), e.g. a C library's I/O thread.
  if (t.name && t.name !== mainComm) return t.name;
  return `Thread ${t.lwp}`;
}

export interface MergedDump {
  threads: ThreadStack[];
  notes: string[];
}

/**
 * The report's threads as ThreadStacks. Consumes `report.threads`: each of gdb's threads is let go
 * once merged, so a report of many threads is not held twice (callers read only the report's other fields).
 */
export function gdbReportToThreads(report: GdbReport): MergedDump {
  const notes: string[] = [];
  const all = report.threads ?? [];
  report.threads = undefined;
  const mainComm = all.find((t) => t.lwp === report.pid)?.name;
  const threads = all.map((t, i): ThreadStack => {
    const { frames, notes: mergeNotes } = mergeFrames(t);
    const name = threadName(t, report.pid, mainComm);
    for (const n of [...t.notes, ...mergeNotes]) notes.push(`${name}: ${n}`);
    (all as (GdbThread | undefined)[])[i] = undefined;
    return {
      id: t.pthread ?? t.lwp,
      nativeId: t.lwp,
      name,
      // Only a running (R) thread is busy; the state was read before gdb stopped the process.
      active: report.states[String(t.lwp)] === 'R',
      ownsGil: t.gil ?? false,
      frames,
    };
  });
  // MainThread first (where people look first), the others in gdb's order.
  const main = threads.filter((t) => t.nativeId === report.pid);
  return { threads: [...main, ...threads.filter((t) => t.nativeId !== report.pid)], notes };
}
