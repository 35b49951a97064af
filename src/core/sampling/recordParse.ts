// `py-spy record --format speedscope --idle --full-filenames` output → StackSample[]. It is JSON,
// so a name holding a newline or a `;` stays one name: py-spy's raw format escapes neither, and a
// function named "w\nthread (1): FORGED;…" forged a whole thread there. py-spy writes one "sampled"
// profile per thread, named `Thread <tid> "<name>"` (the kernel's thread id, or the pthread id as
// `0x…` where that is unknown), each sample a list of indices into shared.frames, outermost first,
// one entry per sample. Native frames (--native) carry line 0 and their shared object as file.
// Read strictly: anything else is output Snag cannot read (tool-failed), never guessed at.
import type { SampleFrame, StackSample } from '../model';
import { badOutput, parseToolJson, Shape } from '../validate/toolJson';

const TOOL = 'py-spy';
// Anchored at the start: a thread's name (anything, after the first quote) cannot change its id.
const THREAD = /^Thread (\d{1,16}|0x[0-9a-f]{1,16}) "([\s\S]*)"$/i;
/** More threads than a Python process runs; beyond, the file is not a recording (and would cost memory). */
export const MAX_RECORD_THREADS = 10_000;
/** Frames kept of one sampled stack (the innermost): deeper recursion adds nothing a person can read. */
export const MAX_STACK_DEPTH = 2_000;

export interface RecordChunk {
  stacks: StackSample[];
  /** Threads that had more samples than the rate allows: their extra samples were not counted. */
  clampedThreads: number;
  /**
   * Every thread came with its kernel id. py-spy names a thread by its pthread id (`0x…`) where it
   * could not match it to the kernel's, and then it cannot read whether the thread runs either:
   * a recording without --idle keeps such a thread's every sample, asleep or not.
   */
  kernelIds: boolean;
}

/** `Thread 10038 "MainThread"` → id and name (an empty name: py-spy had none for the thread yet). */
function threadOf(shape: Shape, name: string): { id: number; name: string; kernelId: boolean } {
  const m = THREAD.exec(name);
  if (!m) throw badOutput(TOOL, `${shape.where}: its name is not "Thread <id> \\"<name>\\""`);
  const pthread = m[1]!.toLowerCase().startsWith('0x');
  const id = pthread ? parseInt(m[1]!, 16) : Number(m[1]);
  if (!Number.isSafeInteger(id)) throw badOutput(TOOL, `${shape.where}: its thread id is out of range`);
  return { id, name: m[2] || `Thread ${id}`, kernelId: !pthread };
}

function frameOf(shape: Shape, raw: unknown): SampleFrame {
  const f = shape.object(raw, 'the frame');
  const line = shape.optionalNumber(f.line, 'line') ?? 0;
  if (!Number.isSafeInteger(line) || line < 0) throw badOutput(TOOL, `${shape.where}: line should be a whole number, is ${line}`);
  // Python frames always carry a line; py-spy gives native frames only their shared object.
  return { function: shape.string(f.name, 'name'), file: shape.optionalString(f.file, 'file') ?? '', line, native: line === 0 };
}

/**
 * One recording's stacks, each distinct stack of a thread once with how often it was seen. At most
 * `maxSamplesPerThread` samples of a thread count (py-spy takes at most rate × seconds of them).
 */
export function parseSpeedscopeRecord(text: string, maxSamplesPerThread = Number.MAX_SAFE_INTEGER): RecordChunk {
  const top = new Shape(TOOL, 'the recording');
  const file = top.object(parseToolJson(TOOL, text), 'the recording');
  const shared = top.object(file.shared, 'shared');
  const frames = top.list(shared.frames, 'shared.frames').map((f, i) => frameOf(top.at(`frame ${i + 1}`), f));
  const profiles = top.list(file.profiles, 'profiles');
  if (profiles.length > MAX_RECORD_THREADS) throw badOutput(TOOL, `it holds ${profiles.length} threads, more than ${MAX_RECORD_THREADS}`);
  // A thread's stacks by their frame indices; py-spy may split one thread over two profiles.
  const byThread = new Map<number, { name: string; seen: number; dropped: boolean; stacks: Map<string, StackSample> }>();
  let kernelIds = true;
  profiles.forEach((raw, i) => {
    const shape = top.at(`profile ${i + 1} of ${profiles.length}`);
    const p = shape.object(raw, 'the profile');
    if (p.type !== 'sampled') throw badOutput(TOOL, `${shape.where}: it is not a sampled profile`);
    const thread = threadOf(shape, shape.string(p.name, 'name'));
    if (!thread.kernelId) kernelIds = false;
    const samples = shape.list(p.samples, 'samples');
    let t = byThread.get(thread.id);
    if (!t) byThread.set(thread.id, (t = { name: thread.name, seen: 0, dropped: false, stacks: new Map() }));
    for (const sample of samples) {
      if (!Array.isArray(sample) || !sample.every((k) => Number.isInteger(k) && k >= 0 && k < frames.length))
        throw badOutput(TOOL, `${shape.where}: a sample is not a list of frame numbers`);
      if (t.seen >= maxSamplesPerThread) {
        t.dropped = true;
        continue;
      }
      t.seen++;
      // Outermost first: past MAX_STACK_DEPTH only the innermost frames are kept (where it stands).
      const kept = (sample as number[]).length > MAX_STACK_DEPTH ? (sample as number[]).slice(-MAX_STACK_DEPTH) : (sample as number[]);
      const key = kept.join(',');
      const known = t.stacks.get(key);
      if (known) known.count++;
      else t.stacks.set(key, { id: thread.id, name: t.name, frames: kept.map((k) => frames[k]!).reverse(), count: 1 });
    }
  });
  const threads = [...byThread.values()];
  return { stacks: threads.flatMap((t) => [...t.stacks.values()]), clampedThreads: threads.filter((t) => t.dropped).length, kernelIds };
}
