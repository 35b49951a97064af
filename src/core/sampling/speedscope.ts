// Sampling sessions as speedscope JSON (https://www.speedscope.app/file-format-schema.json), which
// speedscope.app and other profilers open: one "sampled" profile per thread, stacks outermost
// first, weights in seconds. A `snag` field keeps what speedscope has no place for (thread status,
// rate) so a saved session loads back as it was; files from py-spy load too.
import { SnagError } from '../errors';
import type { Profile, SampleFrame, StackSample, ThreadProfile } from '../model';
import { Sampler, type FrameMapper } from './sampler';
import { stackWaitExplainer, threadsExplainer } from './stackWait';
import { SourceLines } from '../findings/sourceLines';

const SCHEMA = 'https://www.speedscope.app/file-format-schema.json';

interface SpeedscopeFrame {
  name: string;
  file?: string;
  line?: number | null;
}
interface SpeedscopeProfile {
  type: string;
  name: string;
  unit: string;
  startValue: number;
  endValue: number;
  samples?: number[][];
  weights?: number[];
}
interface SnagMeta {
  pid: number;
  rateHz: number;
  method: string;
  startedAt: string;
  durationMs: number;
  stuckAfterSeconds: number;
  label?: string;
  threads: ThreadProfile[];
}
interface SpeedscopeFile {
  $schema: string;
  name?: string;
  exporter?: string;
  activeProfileIndex?: number | null;
  shared: { frames: SpeedscopeFrame[] };
  profiles: SpeedscopeProfile[];
  snag?: SnagMeta & { threadIds: number[] };
}

export function toSpeedscope(p: Profile, exporter: string): string {
  const frames: SpeedscopeFrame[] = p.frames.map((f) => (f.line ? { name: f.function, file: f.file, line: f.line } : { name: f.function, file: f.file }));
  const rate = p.rateHz || 1;
  const threadIds = [...new Set([...p.threads.map((t) => t.id), ...p.stacks.map((s) => s.threadId)])];
  // Grouped once: a session may hold thousands of threads and its cap of stacks.
  const byThread = new Map<number, Profile['stacks']>();
  for (const s of p.stacks) {
    const list = byThread.get(s.threadId);
    if (list) list.push(s);
    else byThread.set(s.threadId, [s]);
  }
  const names = new Map(p.threads.map((t) => [t.id, t.name]));
  const profiles: SpeedscopeProfile[] = threadIds.map((id) => {
    const stacks = byThread.get(id) ?? [];
    const name = names.get(id) ?? `Thread ${id}`;
    const weights = stacks.map((s) => s.count / rate);
    return {
      type: 'sampled',
      name: `Thread ${id} "${name}"`,
      unit: 'seconds',
      startValue: 0,
      endValue: weights.reduce((a, b) => a + b, 0),
      samples: stacks.map((s) => [...s.frames].reverse()),
      weights,
    };
  });
  const file: SpeedscopeFile = {
    $schema: SCHEMA,
    name: p.label ?? `pid ${p.pid}`,
    exporter,
    activeProfileIndex: 0,
    shared: { frames },
    profiles,
    snag: {
      pid: p.pid,
      rateHz: p.rateHz,
      method: p.method,
      startedAt: p.startedAt,
      durationMs: p.durationMs,
      stuckAfterSeconds: p.stuckAfterSeconds,
      // As `snag sample --json` has them: how a frame's file was mapped is this machine's business.
      threads: p.threads.map((t) => (t.at?.mapping ? { ...t, at: { ...t.at, mapping: undefined } } : t)),
      threadIds,
      ...(p.label ? { label: p.label } : {}),
    },
  };
  return JSON.stringify(file);
}

/** `Thread 10038 "MainThread"` (py-spy and Snag) → id and name; anything else keeps its name. */
function threadOf(name: string, index: number): { id: number; name: string } {
  const m = /^Thread (\d+|0x[0-9a-f]+) "(.*)"$/i.exec(name);
  if (m) return { id: Number(m[1]), name: m[2]! };
  return { id: index + 1, name: name || `Thread ${index + 1}` };
}

function bad(why: string): SnagError {
  return new SnagError('bad-input', `This is not a speedscope profile Snag can load: ${why}.`);
}

export async function fromSpeedscope(text: string, source: string, mapFrame?: FrameMapper): Promise<Profile> {
  let file: SpeedscopeFile;
  try {
    file = JSON.parse(text) as SpeedscopeFile;
  } catch {
    throw bad('it is not JSON');
  }
  if (typeof file?.$schema !== 'string' || !file.$schema.includes('speedscope')) throw bad('it has no speedscope $schema');
  if (!Array.isArray(file.profiles) || !Array.isArray(file.shared?.frames)) throw bad('it has no profiles or no shared frames');
  const sampled = file.profiles.filter((p) => p.type === 'sampled' && Array.isArray(p.samples));
  if (sampled.length === 0) throw bad('it holds no sampled profiles (evented ones are not supported)');
  const meta = file.snag;
  const minWeight = Math.min(...sampled.flatMap((p) => p.weights ?? []).filter((w) => w > 0));
  const rate = meta?.rateHz ?? (Number.isFinite(minWeight) && sampled[0]!.unit === 'seconds' ? Math.round(1 / minWeight) : 1);
  const toCount = (unit: string, w: number | undefined) =>
    Math.max(1, Math.round(w === undefined ? 1 : unit === 'seconds' ? w * rate : unit === 'milliseconds' ? (w * rate) / 1000 : w));
  const frameAt = (i: number): SampleFrame | undefined => {
    const f = file.shared.frames[i];
    if (!f) return undefined;
    const line = typeof f.line === 'number' ? f.line : 0;
    return { function: f.name, file: f.file ?? '', line, native: line === 0 };
  };
  const stacks: StackSample[] = [];
  sampled.forEach((p, i) => {
    const thread =
      meta?.threadIds[i] !== undefined
        ? { id: meta.threadIds[i]!, name: meta.threads.find((t) => t.id === meta.threadIds[i])?.name ?? p.name }
        : threadOf(p.name, i);
    p.samples!.forEach((sample, j) => {
      // py-spy puts a `thread (id): name` root frame on every stack; the thread is known already.
      const frames = sample
        .map(frameAt)
        .filter((f): f is SampleFrame => !!f && !/^thread \(/.test(f.function))
        .reverse();
      if (frames.length) stacks.push({ id: thread.id, name: thread.name, frames, count: toCount(p.unit, p.weights?.[j]) });
    });
  });
  const durationMs =
    meta?.durationMs ??
    Math.round(Math.max(...sampled.map((p) => (p.endValue - p.startValue) * (p.unit === 'seconds' ? 1000 : p.unit === 'milliseconds' ? 1 : 1000 / rate))));
  const lines = new SourceLines();
  const sampler = new Sampler({
    pid: meta?.pid ?? 0,
    rateHz: rate,
    method: `loaded from ${source}`,
    label: meta?.label ?? file.name,
    stuckAfterSeconds: meta?.stuckAfterSeconds,
    mapFrame,
    explainStack: stackWaitExplainer(lines),
    explainThreads: threadsExplainer(lines),
    startedAt: meta ? new Date(meta.startedAt) : undefined,
  });
  await sampler.add({ startMs: 0, endMs: durationMs, stacks });
  const profile = sampler.profile();
  if (meta) {
    // The status the live session saw (a file's samples carry no order to redo it).
    profile.threads = profile.threads.map((t) => {
      const saved = meta.threads.find((s) => s.id === t.id);
      return saved ? { ...t, status: saved.status, sameStackSeconds: saved.sameStackSeconds, firstSeenMs: saved.firstSeenMs, lastSeenMs: saved.lastSeenMs } : t;
    });
  }
  return profile;
}
