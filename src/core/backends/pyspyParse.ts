// py-spy's `dump --json` output → ThreadStack[]. Field names are py-spy's (snake_case).
import type { Frame, LocalVariable, ThreadStack } from '../model';

interface PySpyLocal { name: string; arg: boolean; repr?: string | null }
interface PySpyFrame {
  name: string;
  filename: string;
  module?: string | null;
  short_filename?: string | null;
  line: number;
  locals?: PySpyLocal[] | null;
  is_entry?: boolean;
}
interface PySpyThread {
  pid: number;
  thread_id: number;
  thread_name?: string | null;
  os_thread_id?: number | null;
  active: boolean;
  owns_gil: boolean;
  frames: PySpyFrame[];
}

export function parsePySpyDump(json: string): ThreadStack[] {
  const data = JSON.parse(json) as PySpyThread[];
  if (!Array.isArray(data)) throw new Error('py-spy printed JSON that is not a list of threads');
  const threads = data.map((t): ThreadStack => ({
    id: t.thread_id,
    nativeId: t.os_thread_id ?? undefined,
    name: t.thread_name ?? `Thread ${t.os_thread_id ?? t.thread_id}`,
    active: t.active,
    ownsGil: t.owns_gil,
    frames: t.frames.map(toFrame),
  }));
  // MainThread first (where people look first), the others in py-spy's order.
  return [...threads.filter((t) => t.name === 'MainThread'), ...threads.filter((t) => t.name !== 'MainThread')];
}

function toFrame(f: PySpyFrame): Frame {
  // Native frames carry the shared object in `module` (py-spy --native); Python frames have none.
  const native = !!f.module;
  const frame: Frame = {
    function: f.name,
    file: f.filename,
    line: f.line,
    native,
    isUserCode: false,
  };
  if (native) frame.module = f.module!.slice(f.module!.lastIndexOf('/') + 1);
  if (f.locals) frame.locals = f.locals.map((l): LocalVariable => ({ name: l.name, repr: l.repr ?? undefined, isArg: l.arg }));
  return frame;
}
