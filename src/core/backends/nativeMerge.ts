// py-spy's --native dump with gdb's names for the native frames py-spy could not name. gdb reads
// Python frames only with the interpreter's debug info (a pyenv 3.6 has none): its dump alone would
// lose the Python frames py-spy read. So py-spy's stacks stay as they are — every Python frame, in
// place — and only native frames change: the innermost run (what the thread waits in) becomes gdb's
// frames down to the same place, and other unnamed frames take gdb's name for the same address.
import type { Frame, StackDump, ThreadStack } from '../model';

/** py-spy names frames it could not symbolise by their address (`0x7f1defaa3f16`). */
export const UNNAMED = /^0x[0-9a-f]+$/i;

const isUnnamed = (f: Frame) => f.native && UNNAMED.test(f.function);

function pythonFrames(t: ThreadStack | undefined): number {
  return t ? t.frames.filter((f) => !f.native).length : 0;
}

function addressKey(a: string | undefined): string | undefined {
  if (!a || !/^0x[0-9a-f]+$/i.test(a)) return undefined;
  return BigInt(a).toString(16);
}

function sameThread(t: ThreadStack, others: readonly ThreadStack[]): ThreadStack | undefined {
  return others.find((o) => (t.nativeId !== undefined && o.nativeId === t.nativeId) || o.id === t.id);
}

/** True when some thread has fewer Python frames in `gdb`'s dump than in py-spy's. */
export function losesPythonFrames(pyspy: StackDump, gdb: StackDump): boolean {
  return pyspy.threads.some((t) => pythonFrames(sameThread(t, gdb.threads)) < pythonFrames(t));
}

/** One thread: py-spy's frames with gdb's names where py-spy had none. */
export function mergeThread(t: ThreadStack, g: ThreadStack | undefined): ThreadStack {
  if (!g) return t;
  const gNative = g.frames;
  const byAddress = new Map<string, number[]>();
  gNative.forEach((f, i) => {
    const k = f.native ? addressKey(f.address ?? f.function) : undefined;
    if (k) byAddress.set(k, [...(byAddress.get(k) ?? []), i]);
  });
  // gdb's frames of the innermost native run: those before its first Python or eval frame.
  const gInner = gNative.findIndex((f) => !f.native || /^_?PyEval_EvalFrame/.test(f.function));
  const gRun = gInner < 0 ? gNative.length : gInner;
  const locate = (f: Frame): number | undefined => {
    const k = isUnnamed(f) ? addressKey(f.function) : undefined;
    const hits = k ? byAddress.get(k) : undefined;
    if (hits?.length) return hits[hits.length - 1];
    if (isUnnamed(f)) return undefined;
    const i = gNative.slice(0, gRun).findIndex((x) => x.native && x.function === f.function);
    return i < 0 ? undefined : i;
  };

  const frames: Frame[] = [];
  const firstPython = t.frames.findIndex((f) => !f.native);
  const run = firstPython < 0 ? t.frames.length : firstPython;
  let start = 0;
  if (t.frames.slice(0, run).some(isUnnamed)) {
    // The outermost frame of the run that gdb also has: everything inside it is gdb's.
    for (let i = run - 1; i >= 0; i--) {
      const at = locate(t.frames[i]!);
      if (at === undefined || at >= gRun) continue;
      frames.push(...gNative.slice(0, at + 1).map(copyNative));
      start = i + 1;
      break;
    }
  }
  for (const f of t.frames.slice(start)) {
    if (!isUnnamed(f)) {
      frames.push(f);
      continue;
    }
    const k = addressKey(f.function);
    const same = k ? (byAddress.get(k) ?? []).map((i) => gNative[i]!).filter((x) => !UNNAMED.test(x.function)) : [];
    frames.push(...(same.length ? same.map(copyNative) : [f]));
  }
  return { ...t, frames };
}

function copyNative(f: Frame): Frame {
  const c: Frame = { function: f.function, file: f.file, line: f.line, native: true, isUserCode: false };
  if (f.module) c.module = f.module;
  if (f.address) c.address = f.address;
  return c;
}

/** Native frames still unnamed after the merge, by thread: "silent-server: 2 (libc.so.6)". */
export function stillUnnamed(threads: readonly ThreadStack[]): string[] {
  return threads.flatMap((t) => {
    const left = t.frames.filter(isUnnamed);
    if (left.length === 0) return [];
    const modules = [...new Set(left.map((f) => f.module ?? '?'))].join(', ');
    return [`${t.name}: ${left.length} native frame${left.length === 1 ? '' : 's'} in ${modules}`];
  });
}

/**
 * py-spy's dump with gdb's native names. `why` says why gdb was asked. The notes say which
 * native frames are still missing a name.
 */
export function mergeNativeNames(pyspy: StackDump, gdb: StackDump, why: string): StackDump {
  const threads = pyspy.threads.map((t) => mergeThread(t, sameThread(t, gdb.threads)));
  const left = stillUnnamed(threads);
  const notes = [
    why,
    "gdb could not read the Python frames (no debug info for this interpreter): the Python frames are py-spy's, the names of native frames gdb's.",
    ...(left.length ? [`Native frames neither py-spy nor gdb could name (shown as addresses): ${left.join('; ')}.`] : []),
    ...(pyspy.notes ?? []),
    // gdb's own remarks about the process (a resumed target), not the ones about its missing Python frames.
    ...(gdb.notes ?? []).filter((n) => !/debug info|Python frames/i.test(n)),
  ];
  return { ...pyspy, threads, method: pyspy.method ? `${pyspy.method}, native names from gdb` : 'native names from gdb', notes };
}
