// The vocabulary every stage shares: targets → processes → dumps (threads, frames) → findings,
// and samples → profiles. Plain data only: it crosses the CLI's JSON, the extension's trees and the
// webview, so no classes and no functions here.

/** Where processes live. Targets compose: a docker target can sit on an ssh target. */
export type TargetKind = 'local' | 'docker' | 'ssh';

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

export interface ThreadStack {
  /** Thread id as the backend reports it (py-spy: pthread id). */
  id: number;
  /** The kernel's thread id (LWP), when known. */
  nativeId?: number;
  name: string;
  /** False when the thread is idle (waiting in a known blocking call). */
  active: boolean;
  ownsGil: boolean;
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

export interface StackDump {
  pid: number;
  backend: BackendId;
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
}

/** Options the user chooses for one dump. */
export interface DumpOptions {
  native?: boolean;
  locals?: boolean;
  /** Read without pausing the target (may give inconsistent stacks, never stops the process). */
  nonblocking?: boolean;
}

/** A debugpy-style path mapping: frames under remoteRoot are looked up under localRoot. */
export interface PathMapping {
  remoteRoot: string;
  localRoot: string;
}

// ---- Sampling ----

/** One frame of a sampled stack: only what aggregation and the views need. */
export interface SampleFrame {
  function: string;
  file: string;
  /** 0 for native frames without a line. */
  line: number;
  native: boolean;
}

/** One distinct stack of one thread, seen `count` times in a batch. */
export interface StackSample {
  threadId: number;
  threadName: string;
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
  /** What the backend said about these samples ("every thread shows as active"). */
  notes?: string[];
}

export interface LineStat {
  file: string;
  line: number;
  function: string;
  localFile?: string;
  isUserCode: boolean;
  /** Samples in which this line was the innermost frame. */
  own: number;
  /** Samples in which this line was anywhere on the stack (counted once per sample). */
  total: number;
}

export interface FunctionStat {
  function: string;
  file: string;
  /** The line seen most often for the function (for display and opening). */
  line: number;
  localFile?: string;
  isUserCode: boolean;
  own: number;
  total: number;
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
  at?: SampleFrame & { localFile?: string; isUserCode?: boolean };
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
  frames: (SampleFrame & { localFile?: string; isUserCode: boolean })[];
  stacks: ProfileStack[];
  /** Things the user should know ("idle state unknown across PID namespaces"). */
  notes?: string[];
  /**
   * What the rules looking across threads say about the stacks that stood still for the stuck
   * threshold: a deadlock, a blocked event loop (each thread's own wait is in its `wait`).
   */
  findings?: Finding[];
}
