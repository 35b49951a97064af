// A thread reading standard input: input(), sys.stdin.read…(), a loop over sys.stdin. Fine at a
// terminal; a service started without one, or whose stdin is a pipe nobody writes, waits forever.
import type { ThreadStack } from '../model';
import { anchorFrame, callSite, nativeInner } from './frames';
import type { DiagnoseContext, ThreadRule, ThreadWait } from './rule';

const NATIVE_INPUT = /^(builtin_input|builtin_input_impl)$/;
const STDIN_LINE = /(^|[^\w.])input\s*\(|\bsys\.stdin\.(read|readline|readlines|buffer\.read\w*)\s*\(|\bin\s+sys\.stdin\b|\bfileinput\.input\s*\(/;

export const stdinWait: ThreadRule = async (t: ThreadStack, ctx: DiagnoseContext): Promise<ThreadWait | undefined> => {
  const natives = nativeInner(t);
  let reading = natives.some((f) => NATIVE_INPUT.test(f.function));
  if (!reading) {
    const caller = callSite(t);
    const line = caller ? await ctx.source.line(caller) : undefined;
    // With native frames, the line's read must be what waits (a read(2) inside, not a lock or a sleep).
    reading = !!line && STDIN_LINE.test(line) && (natives.length === 0 || natives.some((f) => /^(read|__libc_read|__read_nocancel)$/.test(f.function)));
  }
  if (!reading) return undefined;
  return {
    kind: 'stdin-wait',
    severity: 'warning',
    phrase: 'waits for input on stdin',
    call: 'reading stdin',
    detail:
      'The line reads standard input, which waits until a line (or end of file) arrives. At a terminal that is the user typing; a service or job started without one, or whose stdin is a pipe nothing writes to, waits forever. Start it with stdin closed (`< /dev/null`) or pass the input another way.',
    frame: anchorFrame(t),
  };
};
