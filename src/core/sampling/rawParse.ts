// `py-spy record --format raw --threads --full-filenames` output → StackSample[].
// One line per distinct stack: `thread (<tid>): <name>;<outermost frame>;…;<innermost> <count>`,
// a Python frame as `func (/path/file.py:12)`, a native one as `func (/usr/lib/libc.so.6)`.
// py-spy prints its own messages (`py-spy> …`) on the same stream: they are skipped.
import type { SampleFrame, StackSample } from '../model';

const THREAD = /^thread \((0x[0-9a-f]+|\d+)\)(?:: (.*))?$/i;
const FRAME = /^(.*?) \((.*?)(?::(\d+))?\)$/;

export function parseRawFrame(text: string): SampleFrame {
  const m = FRAME.exec(text);
  if (!m) return { function: text, file: '', line: 0, native: true };
  const line = m[3] ? Number(m[3]) : 0;
  // Python frames always carry a line; py-spy gives native frames only their shared object.
  return { function: m[1]!, file: m[2]!, line, native: !m[3] };
}

export function parseRawRecord(text: string): StackSample[] {
  const out: StackSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (!line || line.startsWith('py-spy>')) continue;
    const sp = line.lastIndexOf(' ');
    // A count is plain digits (not `1e3`, `0x10`, `Infinity`); anything else is not a sample line.
    const countText = line.slice(sp + 1);
    const count = /^[1-9][0-9]{0,15}$/.test(countText) ? Number(countText) : NaN;
    if (sp <= 0 || !Number.isSafeInteger(count)) continue;
    const parts = line.slice(0, sp).split(';');
    const thread = THREAD.exec(parts[0] ?? '');
    if (!thread) continue;
    const id = thread[1]!.toLowerCase().startsWith('0x') ? parseInt(thread[1]!, 16) : Number(thread[1]);
    if (!Number.isSafeInteger(id)) continue;
    out.push({
      threadId: id,
      threadName: thread[2] || `Thread ${id}`,
      frames: parts.slice(1).map(parseRawFrame).reverse(),
      count,
    });
  }
  return out;
}
