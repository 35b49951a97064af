// The messages between the Sampling view's host (samplingView.ts) and its page (src/webview/sampling),
// and the view model the page draws. Everything the host knows arrives computed (thread rows with
// their status and headline, one thread's tables, the flame graph's cells): the page only sorts,
// filters and lays out. Strings are exact (as from the target); the page escapes them for display.
// Types only, and nothing from `vscode`: the page's bundle compiles against this file too.
import type { Severity, ThreadStatus } from '../../core/model';

/** As SamplingSession's state (pageModel.ts assigns one to the other), without its Node imports. */
export type SamplingState = 'running' | 'paused' | 'stopped';

/** The rates the page offers (samples per second). */
export const SAMPLING_RATES = [1, 5, 10, 25, 50, 100] as const;

/** All threads, or one thread by id. */
export type ThreadChoice = 'all' | number;

/** What a click opens: a local file or a remote document's URI, at a line (> 0). */
export interface OpenAt {
  file: string;
  line: number;
}

export interface ThreadRow {
  id: number;
  name: string;
  status: ThreadStatus;
  /** `reader stuck for 4 s at read_reply (w.py:12) — waits in a socket read` */
  headline: string;
  samples: number;
  open?: OpenAt;
}

export interface FindingRow {
  /** Stable across updates (the element keeps its hover). */
  key: string;
  severity: Severity;
  title: string;
  detail?: string;
  open?: OpenAt;
}

/** One line or function of a table; shares in percent of the table's samples. */
export interface HotRow {
  key: string;
  function: string;
  /** As the target names it (the filter matches it). */
  file: string;
  /** `w.py:12` for a line, `w.py` for a function. */
  location: string;
  /** Where it lives: the local file, or the target's path and why it does not open here. */
  tooltip: string;
  isUserCode: boolean;
  /** Wall-clock shares: of every sample, waiting threads' included (py-spy counts idle). */
  ownPct: number;
  totalPct: number;
  /** CPU-only shares: of the samples in which a thread was running (HotTables.cpuSamples). */
  cpuOwnPct?: number;
  cpuTotalPct?: number;
  open?: OpenAt;
}

/** The tables for the thread choice the host has answered (the page's pick may be a message ahead). */
export interface HotTables {
  thread: ThreadChoice;
  samples: number;
  /** Samples of running threads, the 100 % of the CPU-only shares; absent when the source could not tell. */
  cpuSamples?: number;
  lines: HotRow[];
  functions: HotRow[];
}

export type FlameKind = 'thread' | 'user' | 'lib' | 'native';

/** One box of the flame graph, outermost call on top; left and width in percent of the graph. */
export interface FlameCell {
  /** The call path (`/t7/f3/f9`): the same call keeps its element while the graph changes. */
  key: string;
  kind: FlameKind;
  depth: number;
  leftPct: number;
  widthPct: number;
  /** `checksum (w.py:12)` or the thread's name. */
  label: string;
  /** `checksum (w.py:12) — 40 samples (33.3 %)` */
  tooltip: string;
  open?: OpenAt;
}

export interface FlameGraph {
  thread: ThreadChoice;
  /** Rows of cells (the deepest drawn depth + 1). */
  depth: number;
  cells: FlameCell[];
}

export interface ProfileModel {
  samples: number;
  /** `120 thread-samples · 4.0 s · py-spy record` */
  facts: string;
  notes: string[];
  findings: FindingRow[];
  threads: ThreadRow[];
  tables: HotTables;
  flame: FlameGraph;
}

export interface SamplingModel {
  state: SamplingState;
  /** `python3 worker.py (pid 41) on Local`; undefined before the first session. */
  title?: string;
  rateHz: number;
  error?: string;
  /** Start samples the same process again (a live session was stopped), rather than picking one. */
  startAgain: boolean;
  profile?: ProfileModel;
}

export type PageCommand = 'start' | 'pause' | 'resume' | 'stop' | 'save' | 'load';

/** Host → page. */
export type HostMessage = { type: 'update'; model: SamplingModel };

/** Page → host. `ready` and `thread` say which thread the tables and the flame graph are for. */
export type PageMessage =
  | { type: 'ready'; thread: ThreadChoice }
  | { type: 'thread'; thread: ThreadChoice }
  | { type: 'open'; file: string; line: number }
  | { type: 'rate'; rateHz: number }
  | { type: 'command'; command: PageCommand };
