// Processes on this machine: one `ps` for the list, then /proc facts to recognise Python
// (the resolved executable, or libpython mapped into launchers such as uwsgi) and a CPU share
// measured between refreshes, since ps's %CPU is a lifetime average that hides a stuck process.
import { readFile, readlink } from 'node:fs/promises';
import type { ProcessInfo, TargetRef } from '../model';
import { run, type RunOptions } from '../run';
import { displayName, isPythonExe, libpythonFromMaps, mightEmbedPython, parsePs, PS_ARGV, pythonVersionOf } from './psParse';
import type { Runner } from '../runner';
import type { ListOptions, ProcessQuery, Target } from './target';
import { placeAt, type ToolPlace } from '../guard/toolPlace';
import { readLocalFacts, type FactKind, type ProcessFacts } from '../proc/processFacts';

export const localRunner: Runner = {
  run: (argv, opts?: RunOptions) => run(argv, opts),
  wrap: (argv) => [...argv],
  here: true,
};

const CLOCK_TICKS = 100; // USER_HZ on Linux

async function cpuTicks(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces and parens) start after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // utime + stime
  } catch {
    return undefined;
  }
}

/** Recognises Python from /proc facts; mutates p. */
export async function recognisePython(p: ProcessInfo): Promise<void> {
  let exe: string | undefined;
  try {
    exe = await readlink(`/proc/${p.pid}/exe`);
    p.exe = exe;
  } catch {
    /* other user's process or kernel thread: fall back to the command line */
  }
  if (exe && isPythonExe(exe)) {
    p.isPython = true;
    p.pythonReason = `executable ${exe}`;
  } else if (mightEmbedPython(p.command, exe)) {
    try {
      const lib = libpythonFromMaps(await readFile(`/proc/${p.pid}/maps`, 'utf8'));
      if (lib) {
        p.isPython = true;
        p.pythonReason = `${lib.slice(lib.lastIndexOf('/') + 1)} is loaded`;
      }
    } catch {
      // maps unreadable (permissions): trust the command line's first word only
      const first = p.command.split(/\s+/)[0] ?? '';
      if (isPythonExe(first)) {
        p.isPython = true;
        p.pythonReason = `command ${first} (process not readable)`;
      }
    }
  }
  p.name = displayName(p.command, exe);
}

/** One process recognised from /proc alone (no listing): its executable, and whether it is Python. */
async function recognised(pid: number): Promise<ProcessInfo> {
  const p: ProcessInfo = { pid, ppid: 0, user: '', state: '', cpuPercent: 0, rssKb: 0, threads: 0, elapsedSeconds: 0, command: '', name: '', isPython: false };
  await recognisePython(p);
  return p;
}

/**
 * ps rewrites what it cannot print (control characters become '?' or '.'): the command line as the
 * process has it, from /proc, so --json is exact (everything shown is neutralised anyway).
 */
async function exactCommand(p: ProcessInfo): Promise<void> {
  try {
    const args = (await readFile(`/proc/${p.pid}/cmdline`, 'utf8')).split('\0');
    if (args[args.length - 1] === '') args.pop();
    if (args.length === 0) return; // a kernel thread or a zombie: keep ps's [name]
    p.command = args.join(' ');
    p.name = displayName(p.command, p.exe);
  } catch {
    /* gone, or not readable: ps's text stays */
  }
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
  processFacts(pid: number, kinds: readonly FactKind[]): Promise<ProcessFacts> {
    return readLocalFacts(pid, kinds);
  }

  /** From the executable (or the libpython it maps) in this machine's /proc. */
  async pythonVersion(pid: number, ask: ProcessQuery = {}): Promise<string | undefined> {
    return pythonVersionOf(ask.process ?? (await recognised(pid)));
  }

  async listProcesses(opts: ListOptions = {}): Promise<ProcessInfo[]> {
    const { stdout } = await run(PS_ARGV, { timeoutMs: 10_000, signal: opts.signal, maxBytes: 64 * 1024 * 1024 });
    const self = process.pid;
    const all = parsePs(stdout).filter((p) => p.pid !== self && !(p.command.startsWith('ps ') && p.ppid === self));
    await Promise.all(all.map((p) => recognisePython(p)));
    const shown = opts.all ? all : all.filter((p) => p.isPython);
    await Promise.all([this.measureRecentCpu(shown), Promise.all(shown.map(exactCommand))]);
    return shown;
  }

  private async measureRecentCpu(procs: ProcessInfo[]): Promise<void> {
    const now = Date.now();
    const next = new Map<number, { ticks: number; at: number }>();
    await Promise.all(
      procs.map(async (p) => {
        const ticks = await cpuTicks(p.pid);
        if (ticks === undefined) return;
        next.set(p.pid, { ticks, at: now });
        const prev = this.lastTicks.get(p.pid);
        if (prev && now - prev.at >= 200) {
          p.cpuPercent = Math.round((((ticks - prev.ticks) / CLOCK_TICKS) * 1000 * 1000) / (now - prev.at)) / 10;
        }
      }),
    );
    this.lastTicks = next;
  }
}
