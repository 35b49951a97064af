// py-spy's `dump --json` output → ThreadStack[]. Field names are py-spy's (snake_case).
import type { Frame, LocalVariable, ThreadStack } from '../model';
import { badOutput, parseToolJson, Shape } from '../validate/toolJson';

interface PySpyLocal {
  name: string;
  arg: boolean;
  repr?: string | null;
}
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

/**
 * `mainTid`: the process's pid as py-spy saw it, which is its main thread's id (named so when py-spy
 * gave it no name). A thread py-spy says is another process's is refused: never the wrong process's stacks.
 */
export function parsePySpyDump(json: string, mainTid?: number): ThreadStack[] {
  return pySpyThreads(parseToolJson('py-spy', json), mainTid);
}

/** The threads of py-spy's dump already parsed as JSON (its list is emptied as it is read). */
export function pySpyThreads(data: unknown, mainTid?: number): ThreadStack[] {
  const top = new Shape('py-spy', '');
  const list = top.list(data, 'the dump');
  const threads = list.map((raw, i): ThreadStack => {
    const shape = top.at(`thread ${i + 1} of ${list.length}`);
    const t = shape.object(raw, 'the thread') as unknown as PySpyThread;
    const id = shape.number(t.thread_id, 'thread_id');
    const pid = shape.optionalNumber(t.pid, 'pid');
    if (mainTid !== undefined && pid !== undefined && pid !== mainTid)
      throw badOutput('py-spy', `${shape.where}: it is a thread of process ${pid}, not of process ${mainTid} that was asked for`);
    const nativeId = shape.optionalNumber(t.os_thread_id, 'os_thread_id');
    const frames = shape.list(t.frames, 'frames').map((f, j) => toFrame(shape.at(`${shape.where}, frame ${j + 1}`), f));
    // py-spy names threads from the threading module, which it cannot always read (some venvs, embedded interpreters).
    const named = shape.optionalString(t.thread_name, 'thread_name');
    const thread: ThreadStack = {
      id,
      nativeId,
      name: named ?? (mainTid !== undefined && nativeId === mainTid ? 'MainThread' : `Thread ${nativeId ?? id}`),
      active: shape.flag(t.active),
      ownsGil: shape.flag(t.owns_gil),
      frames,
    };
    // py-spy's own object is let go once read: a dump of many threads is not held twice while parsing.
    list[i] = undefined;
    return thread;
  });
  // No names and no kernel ids (a non-blocking read of 3.8–3.10): the one thread whose outermost
  // frame runs the script's module code is the main one.
  if (mainTid !== undefined && !threads.some((t) => t.name === 'MainThread')) {
    const unnamed = (t: ThreadStack) => t.name === `Thread ${t.nativeId ?? t.id}`;
    const script = threads.filter((t) => unnamed(t) && t.nativeId === undefined && t.frames.at(-1)?.function === '<module>');
    if (script.length === 1 && !threads.some((t) => t !== script[0] && !unnamed(t) && t.frames.at(-1)?.function === '<module>')) script[0]!.name = 'MainThread';
  }
  // MainThread first (where people look first), the others in py-spy's order.
  return [...threads.filter((t) => t.name === 'MainThread'), ...threads.filter((t) => t.name !== 'MainThread')];
}

function toFrame(shape: Shape, raw: unknown): Frame {
  const f = shape.object(raw, 'the frame') as unknown as PySpyFrame;
  // Native frames carry the shared object in `module` (py-spy --native); Python frames have none.
  const module = shape.optionalString(f.module, 'module');
  const native = !!module;
  const frame: Frame = {
    function: shape.string(f.name, 'name'),
    file: shape.string(f.filename, 'filename'),
    line: shape.number(f.line, 'line'),
    native,
    isUserCode: false,
  };
  if (module) frame.module = module.slice(module.lastIndexOf('/') + 1);
  if (f.locals !== undefined && f.locals !== null)
    frame.locals = shape.list(f.locals, 'locals').map((raw, k): LocalVariable => {
      const l = shape.object(raw, `local ${k + 1}`) as unknown as PySpyLocal;
      return { name: shape.string(l.name, `local ${k + 1}'s name`), repr: shape.optionalString(l.repr, `local ${k + 1}'s repr`), isArg: shape.flag(l.arg) };
    });
  return frame;
}
