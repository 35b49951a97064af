// Processes on this machine, read from /proc directly (proc/procTable.ts: what `ps` would print,
// without starting it): the resolved executable and the command line of every process recognise
// Python (or libpython mapped into launchers such as uwsgi); only the processes shown get the rest
// of their row, and a CPU share measured between refreshes, since ps's %CPU is a lifetime average
// that hides a stuck process.
import { readFileSync } from 'node:fs';
import { procLink } from '../procFiles';
import { SnagError } from '../errors';
import type { ProcessInfo, TargetRef } from '../model';
import { run, type RunOptions } from '../run';
import { decidePython, displayName, isPythonExe, mightEmbedPython, pythonVersionOf, type MappedLibraries } from './psParse';
import type { Runner } from '../runner';
import type { ListOptions, ProcessQuery, Target } from './target';
import { placeAt, type ToolPlace } from '../guard/toolPlace';
import { readLocalFacts, type FactKind, type ProcessFacts } from '../proc/processFacts';
import { listPids, psCommand, readArgs, readExe, readProcRow, readUptime } from '../proc/procTable';
import { userNames } from '../proc/userNames';

export const localRunner: Runner = {
  run: (argv, opts?: RunOptions) => run(argv, opts),
  wrap: (argv) => [...argv],
  here: true,
};

const CLOCK_TICKS = 100; // USER_HZ on Linux
/** Processes read between two yields to the event loop (a few ms of work each). */
const BATCH = 200;

/**
 * Whether a process is Python, from its executable and command line, reading its maps only for
 * launchers that may embed libpython; mutates p (isPython, pythonReason).
 */
function recogniseFrom(p: ProcessInfo, exe: string | undefined): void {
  let maps: MappedLibraries;
  if (!(exe && isPythonExe(exe)) && mightEmbedPython(p.command, exe)) {
    try {
      maps = readFileSync(`/proc/${p.pid}/maps`, 'utf8');
    } catch {
      maps = 'unreadable'; // permissions: the command line's first word is all there is
    }
  }
  decidePython(p, exe, maps);
}

/** Recognises Python from /proc facts; mutates p. */
export async function recognisePython(p: ProcessInfo): Promise<void> {
  // Unreadable for another user's process or a kernel thread: the command line is what is left.
  const exe = procLink(`/proc/${p.pid}/exe`);
  if (exe !== undefined) p.exe = exe;
  recogniseFrom(p, exe);
  p.name = displayName(p.command, exe, readArgs(p.pid));
}

/** One process recognised from /proc alone (no listing): its executable, and whether it is Python. */
async function recognised(pid: number): Promise<ProcessInfo> {
  const p: ProcessInfo = { pid, ppid: 0, user: '', state: '', cpuPercent: 0, rssKb: 0, threads: 0, elapsedSeconds: 0, command: '', name: '', isPython: false };
  await recognisePython(p);
  return p;
}

export class LocalTarget implements Target {
  readonly ref: TargetRef;
  readonly runner = localRunner;
  private lastTicks = new Map<number, { ticks: number; at: number }>();

  constructor(label = 'Local') {
    this.ref = { kind: 'local', id: 'local', label };
  }

  /** Tools run here as they are; the guard reads this machine's /proc directly. */
  async place(pid: number): Promise<ToolPlace> {
    return placeAt(this.runner, pid, true, 'this machine');
  }

  /** This machine's /proc, read directly (no program started). */
  processFacts(pid: number, kinds: readonly FactKind[], signal?: AbortSignal): Promise<ProcessFacts> {
    return readLocalFacts(pid, kinds, '/proc', signal);
  }

  /** From the executable (or the libpython it maps) in this machine's /proc. */
  async pythonVersion(pid: number, ask: ProcessQuery = {}): Promise<string | undefined> {
    return pythonVersionOf(ask.process ?? (await recognised(pid)));
  }

  async listProcesses(opts: ListOptions = {}): Promise<ProcessInfo[]> {
    const self = process.pid;
    const pids = listPids();
    const uptime = readUptime();
    const shown: Array<{ p: ProcessInfo; uid: number; ticks: number }> = [];
    for (let i = 0; i < pids.length; i += BATCH) {
      if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      if (opts.signal?.aborted) throw new SnagError('cancelled', 'Listing the processes on this machine was cancelled.');
      for (const pid of pids.slice(i, i + BATCH)) {
        if (pid === self) continue;
        const listed = this.listOne(pid, uptime, opts.all === true);
        if (listed) shown.push(listed);
      }
    }
    const names = await userNames(
      shown.map((s) => s.uid),
      opts.signal,
    );
    for (const s of shown) s.p.user = names.get(s.uid) ?? String(s.uid);
    this.measureRecentCpu(shown);
    return shown.map((s) => s.p);
  }

  /**
   * One process, if it is shown: its executable and command line first (all that recognising
   * Python needs), the rest of its row only when it is Python or everything is listed.
   */
  private listOne(pid: number, uptime: number, all: boolean): { p: ProcessInfo; uid: number; ticks: number } | undefined {
    const exe = readExe(pid);
    const args = readArgs(pid);
    if (args === undefined) return undefined; // gone (or hidden from this user)
    let row = args.length === 0 ? readProcRow(pid, uptime) : undefined;
    // The command line as the process has it (ps would rewrite what it cannot print); a kernel
    // thread or a zombie has none and is named as ps names it.
    const command = psCommand(args, row);
    const p: ProcessInfo = { pid, ppid: 0, user: '', state: '', cpuPercent: 0, rssKb: 0, threads: 0, elapsedSeconds: 0, command, name: '', isPython: false };
    if (exe !== undefined) p.exe = exe;
    recogniseFrom(p, exe);
    if (!all && !p.isPython) return undefined;
    row ??= readProcRow(pid, uptime);
    if (!row) return undefined;
    p.name = displayName(command, exe, args);
    Object.assign(p, {
      ppid: row.ppid,
      state: row.state,
      cpuPercent: row.cpuPercent,
      rssKb: row.rssKb,
      threads: row.threads,
      elapsedSeconds: row.elapsedSeconds,
    });
    return { p, uid: row.uid, ticks: row.cpuTicks };
  }

  private measureRecentCpu(procs: ReadonlyArray<{ p: ProcessInfo; ticks: number }>): void {
    const now = Date.now();
    const next = new Map<number, { ticks: number; at: number }>();
    for (const { p, ticks } of procs) {
      next.set(p.pid, { ticks, at: now });
      const prev = this.lastTicks.get(p.pid);
      if (prev && now - prev.at >= 200) {
        p.cpuPercent = Math.round((((ticks - prev.ticks) / CLOCK_TICKS) * 1000 * 1000) / (now - prev.at)) / 10;
      }
    }
    this.lastTicks = next;
  }
}
