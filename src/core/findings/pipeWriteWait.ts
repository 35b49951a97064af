// A thread blocked writing to a full pipe (the kernel's wchan says so; py-spy's reader marks it):
// the process's output goes to a pipe its reader does not drain, typically a parent reading one of
// a child's pipes (stdout) to the end while the child fills the other (stderr), so both wait.
import type { ThreadStack } from '../model';
import { anchorFrame } from './frames';
import type { DiagnoseContext, ThreadRule, ThreadWait } from './rule';

/** Which stream the line writes to, as the code spells it. */
function streamOf(line: string | undefined): string | undefined {
  const m = line
    ? /\bsys\.(stdout|stderr)\b|\bprint\s*\(.*\bfile\s*=\s*sys\.(stdout|stderr)|\b(print|logging\.\w+|log\.\w+|logger\.\w+)\s*\(/.exec(line)
    : undefined;
  if (!m) return undefined;
  return m[1] ?? m[2] ?? (m[3] === 'print' ? 'stdout' : undefined);
}

export const pipeWriteWait: ThreadRule = async (t: ThreadStack, ctx: DiagnoseContext): Promise<ThreadWait | undefined> => {
  if (!t.writesToPipe) return undefined;
  const frame = anchorFrame(t);
  const stream = streamOf(frame ? await ctx.source.line(frame) : undefined);
  const what = stream ? `its ${stream} pipe` : 'a pipe';
  return {
    kind: 'pipe-write-wait',
    severity: 'warning',
    phrase: `waits to write to ${what}, which is full: nothing reads it`,
    call: `writing to ${what}`,
    detail: `The kernel says this thread is blocked writing to a pipe: the pipe's buffer (64 KiB on Linux) is full and the process at its other end does not read it. A parent that reads a child's stdout to the end (or waits for it) while the child fills its stderr pipe waits for the child, which waits for the parent. Read both pipes: Popen.communicate(timeout=…) or subprocess.run(…, capture_output=True, timeout=…), or send ${stream ?? 'the stream'} to a file or subprocess.DEVNULL.`,
    ...(frame ? { frame } : {}),
  };
};
