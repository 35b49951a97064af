// Samples → Profile: per-line and per-function own/total counts, per-thread status and the
// stuck detector. Source-agnostic: batches come from `py-spy record` chunks or repeated dumps.
// A thread is stuck when its whole stack has not changed for `stuckAfterSeconds` while it was
// not running Python code, unless the finding rules say it is a helper thread parked in a sleep,
// an Event or a queue (idle); one that keeps the same stack while running is busy (a hot spin).
import { createHash } from 'node:crypto';
import { standsAt } from '../stacks/standing';
import { GIL_KIND, starvedWithoutNatives } from '../findings/gilWait';
import { where } from '../stacks/frameText';
import { hotRows } from './profileRows';
import type {
  Finding,
  Profile,
  ProfileFrame,
  ProfileStack,
  SampleBatch,
  SampleFrame,
  StackSample,
  StackWait,
  ThreadProfile,
  ThreadStack,
  ThreadStatus,
} from '../model';
import type { StackExplainer, ThreadsExplainer } from './stackWait';

// Two seconds: with one-second recordings a wait shows as stuck after the second one, within ~3 s of Start.
export const DEFAULT_STUCK_AFTER_SECONDS = 2;
/** Looks at which threads run that decide whether one is busy (by majority). */
const ACTIVITY_LOOKS = 3;
/**
 * Distinct stacks and frames a session keeps: memory and each profile()'s time stay bounded however
 * long it runs or whatever a tool hands over. Samples of further new stacks still count, into one
 * "(other stacks)" stack per thread; the stuck detector still sees them (by a digest of the frames).
 */
export const MAX_STACKS = 20_000;
export const MAX_FRAMES = 30_000;
export const OTHER_STACKS = '(other stacks)';
/** Explanations kept before the cache starts over (each is one thread name and stack). */
const MAX_WAITS = 5_000;
const MAX_NOTES = 100;

/** Where a sampled frame's file is: the ProfileFrame fields source mapping sets. */
export type MappedPlace = Pick<ProfileFrame, 'localFile' | 'isUserCode' | 'mapping'>;

/** How a sampled frame's file maps to the workspace (SourceMapper, cached per file by the caller). */
export type FrameMapper = (frame: SampleFrame) => Promise<MappedPlace>;

export interface SamplerOptions {
  pid: number;
  rateHz: number;
  method: string;
  label?: string;
  stuckAfterSeconds?: number;
  mapFrame?: FrameMapper;
  /** Says what an unchanged stack waits in (the finding rules); without it threads get no `wait`. */
  explainStack?: StackExplainer;
  /** The cross-thread finding rules, over the stacks that stood still; without it no `findings`. */
  explainThreads?: ThreadsExplainer;
  startedAt?: Date;
}

interface ThreadState {
  id: number;
  name: string;
  samples: number;
  firstSeenMs: number;
  lastSeenMs: number;
  /** The stack key while it stays the same; undefined while it changes. */
  key?: string;
  sinceMs: number;
  /** The last stack seen, innermost first, for `at` and the finding rules. */
  last?: MappedFrame[];
  /** Running Python code, by most of the last looks; undefined when the source cannot tell. */
  active?: boolean;
  /** The last few looks (a thread that wakes now and then is not busy because one look caught it). */
  looks?: boolean[];
  /** What the unchanged stack (`key`) waits in. */
  wait?: StackWait;
  /** Holding the GIL, by most of the last looks that said who held it. */
  ownsGil?: boolean;
  gilLooks?: boolean[];
}

type MappedFrame = ProfileFrame;

function frameKey(f: SampleFrame): string {
  return `${f.native ? 'n' : 'p'}\0${f.function}\0${f.file}\0${f.line}`;
}

export class Sampler {
  private readonly frames: MappedFrame[] = [];
  private readonly frameIndex = new Map<string, number>();
  private readonly stacks = new Map<string, ProfileStack>();
  /** The samples in which threads ran (SampleBatch.activeStacks), by the same keys; undefined until a batch tells. */
  private activeStacks?: Map<string, ProfileStack>;
  private activeTotal = 0;
  /** Batches with samples that did not say which threads ran (their samples are in no CPU share). */
  private batchesWithoutActivity = 0;
  private readonly threads = new Map<number, ThreadState>();
  private readonly notes = new Set<string>();
  /** Explanations by thread name and stack: a stack waits in the same call every time. */
  private readonly waits = new Map<string, Promise<StackWait | undefined>>();
  /** The cross-thread findings, and which still stacks they were made of. */
  private findings: Finding[] = [];
  private findingsKey = '';
  private endMs = 0;
  private total = 0;
  /** Samples counted into "(other stacks)" because the session kept MAX_STACKS already. */
  private overflow = 0;
  readonly startedAt: Date;

  constructor(private readonly opts: SamplerOptions) {
    this.startedAt = opts.startedAt ?? new Date();
  }

  get stuckAfterSeconds(): number {
    return this.opts.stuckAfterSeconds ?? DEFAULT_STUCK_AFTER_SECONDS;
  }

  /** Thread-samples taken so far. */
  get samples(): number {
    return this.total;
  }

  async add(batch: SampleBatch): Promise<void> {
    const perThread = new Map<number, { keys: Set<string>; last: MappedFrame[]; count: number; name: string }>();
    for (const s of batch.stacks) {
      if (!(s.count > 0) || !Number.isSafeInteger(s.count)) continue;
      const { key, last } = await this.count(s);
      const t = perThread.get(s.id) ?? { keys: new Set(), last, count: 0, name: s.name };
      t.keys.add(key);
      t.last = last;
      t.count += s.count;
      perThread.set(s.id, t);
      this.total += s.count;
    }
    await this.countActive(batch);
    const active = batch.activeThreads && new Set(batch.activeThreads);
    for (const [id, seen] of perThread) {
      let st = this.threads.get(id);
      if (!st) {
        st = { id, name: seen.name, samples: 0, firstSeenMs: batch.startMs, lastSeenMs: batch.endMs, sinceMs: batch.startMs };
        this.threads.set(id, st);
      }
      st.name = seen.name;
      st.samples += seen.count;
      st.lastSeenMs = batch.endMs;
      st.last = seen.last;
      if (seen.keys.size === 1) {
        const [key] = seen.keys;
        // Unchanged through the batch: it has been there at least since the batch began.
        if (st.key !== key) {
          st.key = key;
          st.sinceMs = batch.startMs;
          st.wait = await this.explain(st, key, seen.last);
        }
      } else {
        st.key = undefined;
        st.wait = undefined;
        st.sinceMs = batch.endMs;
      }
      if (active) {
        st.looks = [...(st.looks ?? []), active.has(id)].slice(-ACTIVITY_LOOKS);
        st.active = st.looks.filter(Boolean).length * 2 > st.looks.length;
      }
      if (batch.gilThread !== undefined) {
        st.gilLooks = [...(st.gilLooks ?? []), batch.gilThread === id].slice(-ACTIVITY_LOOKS);
        st.ownsGil = st.gilLooks.filter(Boolean).length * 2 > st.gilLooks.length;
      }
    }
    for (const n of batch.notes ?? []) if (this.notes.size < MAX_NOTES) this.notes.add(n);
    this.endMs = Math.max(this.endMs, batch.endMs);
    await this.explainStillStacks();
  }

  /**
   * Counts one stack into the session: its own entry while there is room, else its thread's
   * "(other stacks)" (whose frames are then neither kept nor mapped). Returns the key that tells
   * whether the thread's stack changed, and its frames.
   */
  private async count(s: StackSample): Promise<{ key: string; last: MappedFrame[] }> {
    const frameKeys = s.frames.map(frameKey);
    const known = frameKeys.map((k) => this.frameIndex.get(k));
    const missing = known.filter((i) => i === undefined).length;
    let stack = missing === 0 ? this.stacks.get(`${s.id}|${known.join(',')}`) : undefined;
    if (!stack && this.stacks.size < MAX_STACKS && this.frames.length + missing <= MAX_FRAMES) {
      const indices: number[] = [];
      for (const f of s.frames) indices.push(await this.frameId(f));
      const key = `${s.id}|${indices.join(',')}`;
      // The mapping awaited: another batch may have added the same stack meanwhile.
      stack = this.stacks.get(key);
      if (!stack) this.stacks.set(key, (stack = { threadId: s.id, frames: indices, count: 0 }));
    }
    if (stack) {
      stack.count += s.count;
      return { key: stack.frames.join(','), last: stack.frames.map((i) => this.frames[i]!) };
    }
    this.overflow += s.count;
    const other = `${s.id}|other`;
    let bucket = this.stacks.get(other);
    if (!bucket) this.stacks.set(other, (bucket = { threadId: s.id, frames: [this.otherFrame()], count: 0 }));
    bucket.count += s.count;
    // The frames this session knows come mapped; the rest as sampled (not user code: not mapped).
    const last = s.frames.map((f, j) => (known[j] !== undefined ? this.frames[known[j]]! : { ...f, isUserCode: false }));
    return { key: `#${createHash('sha256').update(frameKeys.join('\n')).digest('base64')}`, last };
  }

  /**
   * The batch's samples of running threads, into their own stacks (the CPU-only tables); they do
   * not move the stuck detector, which follows all samples. New stacks past MAX_STACKS go to the
   * thread's "(other stacks)".
   */
  private async countActive(batch: SampleBatch): Promise<void> {
    if (!batch.activeStacks) {
      if (batch.stacks.length) this.batchesWithoutActivity++;
      return;
    }
    const stacks = (this.activeStacks ??= new Map());
    for (const s of batch.activeStacks) {
      if (!(s.count > 0) || !Number.isSafeInteger(s.count)) continue;
      const known = s.frames.map((f) => this.frameIndex.get(frameKey(f)));
      let key = known.every((i) => i !== undefined) ? `${s.id}|${known.join(',')}` : undefined;
      if (!key || !stacks.has(key)) {
        if (stacks.size < MAX_STACKS && this.frames.length + known.filter((i) => i === undefined).length <= MAX_FRAMES) {
          const indices: number[] = [];
          for (const f of s.frames) indices.push(await this.frameId(f));
          key = `${s.id}|${indices.join(',')}`;
          if (!stacks.has(key)) stacks.set(key, { threadId: s.id, frames: indices, count: 0 });
        } else {
          key = `${s.id}|other`;
          if (!stacks.has(key)) stacks.set(key, { threadId: s.id, frames: [this.otherFrame()], count: 0 });
        }
      }
      stacks.get(key)!.count += s.count;
      this.activeTotal += s.count;
    }
  }

  /** The one frame every "(other stacks)" stack consists of. */
  private otherFrame(): number {
    const key = `x\0${OTHER_STACKS}`;
    let i = this.frameIndex.get(key);
    if (i === undefined) {
      i = this.frames.push({ function: OTHER_STACKS, file: '', line: 0, native: true, isUserCode: false }) - 1;
      this.frameIndex.set(key, i);
    }
    return i;
  }

  /** Cross-thread findings over the threads whose stacks stood still for the threshold (not the moving ones: those would flicker). */
  private async explainStillStacks(): Promise<void> {
    const explain = this.opts.explainThreads;
    if (!explain) return;
    const still = [...this.threads.values()].filter((st) => st.key !== undefined && st.last && st.lastSeenMs - st.sinceMs >= this.stuckAfterSeconds * 1000);
    // Whether each runs and holds the GIL belongs to the key: the GIL rule reads both.
    const key = still.map((st) => `${st.id}:${st.key}:${st.active}:${st.ownsGil}`).join('|');
    if (key === this.findingsKey) return;
    this.findingsKey = key;
    const threads = still.map((st) => this.threadStack(st, st.last!));
    this.findings = threads.length ? await explain(threads).catch(() => []) : [];
  }

  /**
   * The thread's stack as the finding rules read it (the model's ThreadStack): its frames copied,
   * as a rule may note on a frame. Running: by most of the last looks (unknown counts as not).
   */
  private threadStack(st: ThreadState, frames: readonly MappedFrame[]): ThreadStack {
    // A recording names threads by their kernel id.
    return { id: st.id, nativeId: st.id, name: st.name, active: st.active === true, ownsGil: st.ownsGil === true, frames: frames.map((f) => ({ ...f })) };
  }

  /** What the thread's unchanged stack waits in; the same name and stack wait in the same call, so it is asked once. */
  private explain(st: ThreadState, key: string, stack: MappedFrame[]): Promise<StackWait | undefined> {
    const explain = this.opts.explainStack;
    if (!explain) return Promise.resolve(undefined);
    const cacheKey = `${st.name}|${key}`;
    let hit = this.waits.get(cacheKey);
    if (!hit) {
      if (this.waits.size >= MAX_WAITS) this.waits.clear();
      hit = explain(this.threadStack(st, stack)).catch(() => undefined);
      this.waits.set(cacheKey, hit);
    }
    return hit;
  }

  private async frameId(f: SampleFrame): Promise<number> {
    const key = frameKey(f);
    let i = this.frameIndex.get(key);
    if (i !== undefined) return i;
    const mapped: MappedPlace = (await this.opts.mapFrame?.(f)) ?? { isUserCode: false };
    // The mapping awaited: another batch may have added the same frame meanwhile.
    i = this.frameIndex.get(key);
    if (i !== undefined) return i;
    i = this.frames.length;
    const frame: MappedFrame = { function: f.function, file: f.file, line: f.line, native: f.native, isUserCode: mapped.isUserCode };
    if (mapped.localFile) frame.localFile = mapped.localFile;
    if (mapped.mapping) frame.mapping = mapped.mapping;
    this.frames.push(frame);
    this.frameIndex.set(key, i);
    return i;
  }

  private threadProfile(st: ThreadState, gilHolder: ThreadState | undefined): ThreadProfile {
    // A stack stands until the thread was last seen, not until the session's end (it may have exited).
    const sameMs = st.key !== undefined ? st.lastSeenMs - st.sinceMs : 0;
    // Running on a line whose call sleeps while it waits, while another thread holds the GIL: starved of it.
    const holder = gilHolder && st.last ? this.threadStack(gilHolder, gilHolder.last ?? []) : undefined;
    const named = this.findings.some((f) => f.kind === GIL_KIND && f.threadId === st.id);
    if (
      holder &&
      st.last &&
      st.key !== undefined &&
      gilHolder !== st &&
      (named || starvedWithoutNatives(this.threadStack(st, st.last), st.wait?.kind, holder))
    ) {
      const at = standsAt(gilHolder!.last ?? []);
      st = {
        ...st,
        active: false,
        wait: { kind: GIL_KIND, severity: 'warning', phrase: `waits for the GIL, held by ${gilHolder!.name}${at ? ` at ${where(at)}` : ''}` },
      };
    }
    const stuck = sameMs >= this.stuckAfterSeconds * 1000 && st.active !== true && !st.wait?.parked;
    const status: ThreadStatus = stuck ? 'stuck' : st.active === true || (st.active === undefined && st.key === undefined) ? 'busy' : 'idle';
    const p: ThreadProfile = { id: st.id, name: st.name, samples: st.samples, status, firstSeenMs: st.firstSeenMs, lastSeenMs: st.lastSeenMs };
    if (sameMs >= 1000) p.sameStackSeconds = Math.floor(sameMs / 1000);
    if (st.wait && st.active !== true) p.wait = st.wait;
    if (st.last?.length) {
      const frames = st.last;
      const at = standsAt(frames)!;
      p.at = {
        function: at.function,
        file: at.file,
        line: at.line,
        native: at.native,
        isUserCode: at.isUserCode,
        ...(at.localFile ? { localFile: at.localFile } : {}),
        ...(at.mapping ? { mapping: at.mapping } : {}),
      };
    }
    return p;
  }

  /** The profile so far. */
  profile(): Profile {
    // The tables by the one counting rule (the Sampling view's per-thread tables use it too).
    const rows = hotRows(this.frames, this.stacks.values(), this.activeStacks?.values());
    const gilHolder = [...this.threads.values()].find((t) => t.ownsGil && t.active);
    const threads = [...this.threads.values()].map((t) => this.threadProfile(t, gilHolder));
    // Stuck first (that is what the user came for), then busy, then idle; MainThread first among equals.
    const rank: Record<ThreadStatus, number> = { stuck: 0, busy: 1, idle: 2 };
    threads.sort((a, b) => rank[a.status] - rank[b.status] || Number(b.name === 'MainThread') - Number(a.name === 'MainThread') || a.id - b.id);
    const profile: Profile = {
      pid: this.opts.pid,
      rateHz: this.opts.rateHz,
      method: this.opts.method,
      startedAt: this.startedAt.toISOString(),
      durationMs: this.endMs,
      samples: this.total,
      stuckAfterSeconds: this.stuckAfterSeconds,
      threads,
      functions: rows.functions,
      lines: rows.lines,
      frames: this.frames,
      stacks: [...this.stacks.values()],
    };
    if (this.activeStacks) {
      profile.activeStacks = [...this.activeStacks.values()];
      profile.activeSamples = this.activeTotal;
    }
    if (this.opts.label) profile.label = this.opts.label;
    const notes = [...this.notes];
    if (this.overflow)
      notes.push(
        `Kept the first ${MAX_STACKS.toLocaleString('en-US')} distinct stacks; ${this.overflow} samples of further new stacks are counted as "${OTHER_STACKS}" of their thread.`,
      );
    if (this.activeStacks && this.batchesWithoutActivity)
      notes.push(
        `The CPU-only shares leave out ${this.batchesWithoutActivity} batch${this.batchesWithoutActivity === 1 ? '' : 'es'} of samples whose running threads could not be told apart.`,
      );
    if (notes.length) profile.notes = notes;
    if (this.findings.length) profile.findings = this.findings;
    return profile;
  }
}
