// One frame line of gdb's `bt` (also `bt full`, `thread apply all bt`):
//   #0  __futex_abstimed_wait_common64 (private=<optimized out>, …) at ./nptl/futex-internal.c:57
//   #2  0x00007f88628a3f7b in __GI___futex_abstimed_wait_cancelable64 (…) at ./nptl/futex-internal.c:139
//   #5  0x00007f1d… in poll () from /lib/x86_64-linux-gnu/libc.so.6
//   #4  <signal handler called>
import type { Frame } from '../model';

export const GDB_FRAME = /^#(\d+)\s+(.*)$/;
const AT = / at (\S.*):(\d+)\s*$/;
const FROM = / from (\S.*?)\s*$/;
const ADDRESS = /^(0x[0-9a-fA-F]+) in /;

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** The frame a `#N …` line describes, or undefined when the line is not one. */
export function parseGdbFrameLine(text: string): Frame | undefined {
  const m = GDB_FRAME.exec(text);
  if (!m) return undefined;
  let rest = m[2]!.trim();
  let file = '';
  let line = 0;
  let library: string | undefined;
  let tail: RegExpExecArray | null;
  if ((tail = AT.exec(rest))) {
    file = tail[1]!;
    line = Number(tail[2]);
    rest = rest.slice(0, tail.index);
  } else if ((tail = FROM.exec(rest))) {
    library = tail[1]!;
    rest = rest.slice(0, tail.index);
  }
  const address = ADDRESS.exec(rest)?.[1];
  if (address) rest = rest.slice(address.length + 4);
  // The function is what comes before its argument list; `<signal handler called>` has none.
  const paren = rest.startsWith('<') ? -1 : rest.indexOf(' (');
  let func = (paren < 0 ? rest : rest.slice(0, paren)).trim();
  // glibc's internal aliases: __GI___clock_nanosleep is __clock_nanosleep (as Snag's gdb program says).
  if (func.startsWith('__GI_')) func = func.slice('__GI_'.length);
  if (!func || func === '??') func = address ?? '??';
  const frame: Frame = { function: func, file: file || library || '', line, native: true, isUserCode: false };
  if (library) frame.module = basename(library);
  if (address) frame.address = address;
  return frame;
}

/** A frame in which the interpreter runs Python code (py-bt's frames belong to these). */
export function isEvalFrame(f: Frame): boolean {
  return f.native && /^(_PyEval_EvalFrameDefault|PyEval_EvalFrameEx|_PyEval_EvalFrame)$/.test(f.function);
}
