// The vocabulary every stage shares: targets → processes → dumps (threads, frames) → findings,
// and samples → profiles. Plain data only: it crosses the CLI's JSON, the extension's trees and the
// webview, so no classes and no functions here.

/**
 * Where processes live: the id of the target's kind (`local`, `docker`, `ssh`), one of the kinds
 * listed in src/core/kinds/registry.ts. Targets compose: a docker target can sit on an ssh target.
 * For labels and ids only: nothing branches on it, a target answers its own facts.
 */
export type TargetKind = string;

export interface TargetRef {
  kind: TargetKind;
  /** Stable id, unique among targets: `local`, `ssh:prod-1`, `docker:ssh:prod-1:abc123`. */
  id: string;
  /** What the user sees: `Local`, `prod-1`, `worker (python:3.11)`. */
  label: string;
  /** The target this one runs on (a container on an ssh host). */
  parent?: TargetRef;
}

export interface ProcessInfo {
  pid: number;
  ppid: number;
  user: string;
  /** Kernel state letter: R running, S sleeping, D disk wait, T stopped, Z zombie, ... */
  state: string;
  cpuPercent: number;
  rssKb: number;
  threads: number;
  elapsedSeconds: number;
  /** Full command line, arguments joined by spaces (for display and filtering). */
  command: string;
  /** Resolved executable (`/proc/<pid>/exe`) when readable. */
  exe?: string;
  /** Short label: the script or module run by Python, else the executable's name. */
  name: string;
  isPython: boolean;
  /** Why it was (not) recognised as Python: `exe python3.11`, `libpython3.11.so mapped`, ... */
  pythonReason?: string;
  /** For processes in containers: the PID as the host sees it, when known. */
  hostPid?: number;
}

export type BackendId = 'py-spy' | 'gdb';

export interface LocalVariable {
  name: string;
  repr?: string;
  isArg: boolean;
}

/** How a frame's file was (or was not) found in the workspace. */
export type MappingMethod = 'exists' | 'rule' | 'mount' | 'suffix' | 'remote' | 'none';

export interface FrameMapping {
  method: MappingMethod;
  /** One sentence for tooltips and logs: which rule matched, or why nothing did. */
  reason: string;
}

/** What kind of code a frame runs, for dimming library frames apart from the user's own. */
export type CodeOrigin = 'user' | 'stdlib' | 'site-packages' | 'native' | 'unknown';

export interface Frame {
  function: string;
  /** The path as the target sees it (may be a container or remote path). */
  file: string;
  /** 1-based; 0 when unknown (native frames without debug info). */
  line: number;
  native: boolean;
  /** Native frames: the shared object the code lives in (`libc.so.6`). */
  module?: string;
  /** Native frames read by gdb: the instruction address (`0x7f1d…`), to match frames another reader left unnamed. */
  address?: string;
  locals?: LocalVariable[];
  /** Set by source mapping: an absolute local path that exists. */
  localFile?: string;
  mapping?: FrameMapping;
  /** True when the frame is the user's own code (mapped into the workspace, not a library). */
  isUserCode: boolean;
  origin?: CodeOrigin;
  /** A short remark shown beside the frame ("called from the garbage collector"). */
  note?: string;
}

/**
 * One thread's stack: a dump's thread, and what sampling hands to the finding rules for a thread
 * whose stack stood still (a sample is such stacks with a count: StackSample).
 */
export interface ThreadStack {
  /** Thread id as the backend reports it (py-spy: pthread id). */
  id: number;
  /** The kernel's thread id (LWP), when known. */
  nativeId?: number;
  name: string;
  /** False when the thread is idle (waiting in a known blocking call). */
  active: boolean;
  /** Set by the readers of a dump (py-spy, gdb); a sampled stack does not say. */
  ownsGil?: boolean;
  /** Blocked writing to a full pipe, as the kernel said (wchan) just before the read; set by py-spy's reader. */
  writesToPipe?: boolean;
  /** Innermost first. */
  frames: Frame[];
}

export type Severity = 'info' | 'warning' | 'error';

export interface Finding {
  severity: Severity;
  /** Machine-readable kind: `socket-wait`, `lock-wait`, `deadlock`, `gc-finalizer`, `join-wait`, ... */
  kind: string;
  /** One plain-language sentence: "MainThread waits in an SSL read with no timeout". */
  title: string;
  detail?: string;
  threadId?: number;
  /** A finding about a group of threads waiting in one place: all of them (threadId is the first). */
  threadIds?: number[];
  /** The frame the finding points at (the user's code where possible). */
  frame?: { file: string; line: number; localFile?: string };
}

/** The formats `snag open` reads (a saved or pasted dump, a core read with gdb). */
export type OpenedFormat = 'snag-json' | 'py-spy-json' | 'py-spy-text' | 'traceback' | 'faulthandler' | 'gdb-text' | 'core';

/** Where an opened dump came from: a file, a paste or a core file, and what Snag read it as. */
export interface OpenedFrom {
  from: 'file' | 'paste' | 'core';
  /** The file's name (or `pasted text`), for titles. */
  name: string;
  format: OpenedFormat;
  /** What the format is called for people: `py-spy dump text`, `faulthandler output`. */
  formatLabel: string;
}

export interface StackDump {
  /** 0 when the dump does not say (a traceback, faulthandler output). */
  pid: number;
  /** Who read the stacks; 'python' for what the interpreter printed itself (a traceback, faulthandler). */
  backend: BackendId | 'python';
  /** Set for a dump opened from a file, a paste or a core (no live process behind it). */
  opened?: OpenedFrom;
  pythonVersion?: string;
  /** ISO time the dump was taken. */
  takenAt: string;
  /** Wall time the backend took, ms. */
  durationMs: number;
  target?: TargetRef;
  /** How the stacks were read when a backend has several ways (`py-bt`, `frame-objects`, `sidecar`...). */
  method?: string;
  threads: ThreadStack[];
  findings: Finding[];
  /** Things the user should know about this dump ("idle state unknown across PID namespaces"). */
  notes?: string[];
  /** Dumps of child processes a finding followed a wait into (a child's exit, its pipe), each explained. */
  children?: StackDump[];
  /** The process's asyncio tasks, read from its memory beside the stacks (an asyncio program's dump). */
  asyncio?: AsyncioTasks;
}

// ---- asyncio tasks (read from the process's memory: src/core/asyncio/) ----

/** What a task's innermost coroutine awaits. */
export interface TaskAwait {
  /** future: a Future (a sleep's, a lock's, an event's…); task: another task; gather/taskgroup: its children; other: an awaitable Snag cannot read. */
  kind: 'future' | 'task' | 'gather' | 'taskgroup' | 'other';
  /** What the wait is, from the coroutine frames: `sleep`, `event`, `lock`, `queue-get`, `executor`, … (absent: a plain future). */
  what?: string;
  /** The awaitable's address in the process (a task's id when kind is task). */
  id: string;
  /** Its type when not a plain Future or Task (`_GatheringFuture`, `uvloop.Future`). */
  type?: string;
  /** A future already done: the task is ready to run and waits for the loop. */
  done?: boolean;
  /** The tasks gathered or in the task group (their ids). */
  children?: string[];
  /** Seconds, for asyncio.sleep. */
  delay?: number;
  /** Only the waiting tasks hold it (nothing else can complete it; a cancel still ends the wait). */
  orphan?: boolean;
  /** The primitive only the waiters hold, when that is what makes it an orphan (`Event`, `Queue`). */
  holder?: string;
  /** The outer future of asyncio.shield: `inner` is what it shields. */
  shield?: boolean;
  /** What the wait is for underneath: the task asyncio.wait_for (3.8–3.11) made of its awaitable, or the task or future a shield shields (an id). */
  inner?: string;
  /** The inner one is a plain future, not a task. */
  innerIsFuture?: boolean;
  /** Where the future was created (asyncio debug mode), innermost first. */
  createdAt?: Frame[];
}

/** One pending asyncio task. */
export interface AsyncTask {
  /** The task object's address in the process: stable while the task lives, unique among live tasks. */
  id: string;
  name: string;
  /** The chain of coroutines it awaits, innermost first (the task's own coroutine last); Frame as in a thread's stack. */
  frames: Frame[];
  awaits?: TaskAwait;
  /** Where the task was created (asyncio debug mode: its _source_traceback, else the coroutine's origin), innermost first. */
  createdAt?: Frame[];
  /** The loop's current task: it runs (or blocks the loop) now. */
  current?: boolean;
  /** A task of asyncio's pure-Python implementation (asyncio.tasks._PyTask; a program without the C module _asyncio). */
  pure?: boolean;
  /** The current task was seen again at the same frames this many ms later: it has not yielded since (it blocks its loop). */
  blockedMs?: number;
  /** Created by an eager task factory and still in its first step (Python 3.12+). */
  eager?: boolean;
  /** Created but never started (it waits for the loop to run it for the first time). */
  notStarted?: boolean;
  /** A Task subclass (`TracedTask`). */
  type?: string;
  /** The loop it belongs to, when the process runs several. */
  loop?: string;
}

/** A reading of a process's asyncio tasks. */
export interface AsyncioTasks {
  pid: number;
  pythonVersion?: string;
  /** ISO time of the reading. */
  takenAt: string;
  durationMs: number;
  /** False when the process has not imported asyncio. */
  asyncio: boolean;
  tasks: AsyncTask[];
  /** Event loops seen (their addresses), with the task each runs now. */
  loops: { id: string; current?: string }[];
  /** Tasks that changed under the reader and could not be read. */
  unreadable: number;
  /** More tasks than the limit, or the time ran out: not every task is listed. */
  truncated?: boolean;
  /** How it was read and what the user should know. */
  notes?: string[];
}

/** Options the user chooses for one dump. */
export interface DumpOptions {
  native?: boolean;
  locals?: boolean;
  /** Read without pausing the target (may give inconsistent stacks, never stops the process). */
  nonblocking?: boolean;
}

/** How far a slow reader has got (gdb says it about once a second after the first second). */
export interface DumpProgress {
  threadsRead: number;
  /** The threads there are to read. */
  threads: number;
}

/** A debugpy-style path mapping: frames under remoteRoot are looked up under localRoot. */
export interface PathMapping {
  remoteRoot: string;
  localRoot: string;
}

// ---- Sampling ----

/** A frame as a sample source reads it: a Frame before source mapping, only what aggregation needs. */
export type SampleFrame = Pick<Frame, 'function' | 'file' | 'line' | 'native'>;

/**
 * A sampled frame mapped to the workspace, as a profile keeps it: the Frame fields the views open
 * it by (`mapping` says whether it opens read-only from the target, as for a dump's frame).
 */
export type ProfileFrame = SampleFrame & Pick<Frame, 'localFile' | 'isUserCode' | 'mapping'>;

/** One distinct stack of one thread (its id and name as in ThreadStack), seen `count` times in a batch. */
export interface StackSample extends Pick<ThreadStack, 'id' | 'name'> {
  /** Innermost first. */
  frames: SampleFrame[];
  count: number;
}

/** What a sample source delivers at once: a `py-spy record` chunk or one dump. */
export interface SampleBatch {
  /** ms since the session started: the span the samples cover (equal for one instant). */
  startMs: number;
  endMs: number;
  stacks: StackSample[];
  /** Threads known to be running Python code now (by native id or id); absent when unknown. */
  activeThreads?: number[];
  /** The thread holding the GIL at the look that gave `activeThreads` (by native id or id), when one did. */
  gilThread?: number;
  /**
   * The samples in which the thread was running rather than waiting (the CPU-only shares); absent
   * when the source could not tell. py-spy record: a recording without `--idle` beside the one with.
   */
  activeStacks?: StackSample[];
  /** What the backend said about these samples ("every thread shows as active"). */
  notes?: string[];
}

export interface LineStat {
  file: string;
  line: number;
  function: string;
  localFile?: string;
  isUserCode: boolean;
  /** As the line's frame (ProfileFrame): how its file was (not) found. Not part of `snag sample --json`. */
  mapping?: FrameMapping;
  /** Samples in which this line was the innermost frame. */
  own: number;
  /** Samples in which this line was anywhere on the stack (counted once per sample). */
  total: number;
  /** As own and total, over the samples in which the thread was running (Profile.activeSamples). */
  cpuOwn?: number;
  cpuTotal?: number;
}

export interface FunctionStat {
  function: string;
  file: string;
  /** The line seen most often for the function (for display and opening). */
  line: number;
  localFile?: string;
  isUserCode: boolean;
  /** As the function's frames (ProfileFrame): how its file was (not) found. Not part of `snag sample --json`. */
  mapping?: FrameMapping;
  own: number;
  total: number;
  /** As own and total, over the samples in which the thread was running (Profile.activeSamples). */
  cpuOwn?: number;
  cpuTotal?: number;
}

/**
 * stuck: the same stack for at least the stuck threshold while not running (except a helper thread
 * parked in a sleep, an Event or a queue, which is idle); busy: running.
 */
export type ThreadStatus = 'stuck' | 'busy' | 'idle';

/** What a thread that keeps one stack waits in: the dump's finding rules applied to that stack. */
export interface StackWait {
  /** As in findings: `socket-wait`, `lock-wait`, `join-wait`, `sleep`, `signal-wait`, ... */
  kind: string;
  severity: Severity;
  /** Follows the thread's name: "waits in a socket read with no timeout". */
  phrase: string;
  /** A helper thread parked between jobs (a sleep, an Event, a queue): idle, not stuck. */
  parked?: boolean;
}

export interface ThreadProfile {
  id: number;
  name: string;
  samples: number;
  status: ThreadStatus;
  /** What its unchanged stack waits in, when a finding rule recognises it. */
  wait?: StackWait;
  /** Seconds the thread's stack has not changed (set once it is at least 1 s). */
  sameStackSeconds?: number;
  /** Where the unchanged stack stands: the innermost user frame, else the innermost frame. */
  at?: SampleFrame & Pick<ProfileFrame, 'localFile' | 'mapping'> & { isUserCode?: boolean };
  /** ms since the session started. */
  firstSeenMs: number;
  lastSeenMs: number;
}

/** Aggregated stacks (for the flame graph and speedscope), outermost-first paths as frame indices. */
export interface ProfileStack {
  threadId: number;
  /** Indices into Profile.frames, innermost first. */
  frames: number[];
  count: number;
}

export interface Profile {
  pid: number;
  /** What was sampled, for titles (`python3 worker.py on Local`). */
  label?: string;
  rateHz: number;
  /** How the samples were taken (`py-spy record`, `repeated py-spy dumps`, `loaded from file.json`). */
  method: string;
  startedAt: string;
  durationMs: number;
  /** Thread-samples in all (each thread in each sampling instant counts once). */
  samples: number;
  /** Seconds a stack must stay unchanged (while idle) for the thread to be reported stuck. */
  stuckAfterSeconds: number;
  threads: ThreadProfile[];
  /** Sorted by own, then total, descending. */
  functions: FunctionStat[];
  lines: LineStat[];
  /** The distinct frames the stacks refer to, with their mapping. */
  frames: ProfileFrame[];
  stacks: ProfileStack[];
  /**
   * The stacks of the samples in which the thread was running, not waiting (py-spy counts a waiting
   * thread's samples too: `stacks` are wall-clock). Absent when the source could not tell.
   */
  activeStacks?: ProfileStack[];
  /** Thread-samples in activeStacks: the 100 % of the CPU-only shares (0: nothing ran). */
  activeSamples?: number;
  /** Things the user should know ("idle state unknown across PID namespaces"). */
  notes?: string[];
  /**
   * What the rules looking across threads say about the stacks that stood still for the stuck
   * threshold: a deadlock, a blocked event loop (each thread's own wait is in its `wait`).
   */
  findings?: Finding[];
}

/** One check of what Snag needs on this machine (the first-run walkthrough's green or red steps). */
export interface SetupCheck {
  /** `pyspy`: py-spy is found; `ptrace`: the kernel lets Snag attach; `sys-ptrace`: container processes can be read from the host. */
  id: 'pyspy' | 'ptrace' | 'sys-ptrace';
  ok: boolean;
  /** One sentence: what was found ("py-spy 0.4.3 at /usr/local/bin/py-spy"). */
  title: string;
  /** When not ok: why, and what to do. */
  fix?: string;
}
