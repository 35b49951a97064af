// Listing Python processes on a crowded machine: with EXTRA more processes running (sleeps,
// started and ended here) and a few real Python programs, Snag's in-process listing (what
// `snag ps` and the Processes view call) against a bare `ps -eo pid,ppid,stat,pcpu,etimes,nlwp,comm,args`,
// interleaved so machine noise hits both alike; and what the Processes view's refresh costs in
// CPU (the listing plus the tree it draws from it, one target kept between refreshes as the view
// keeps it), as % of one core at one refresh every 5 s. Writes the key `listing` of bench/results.json.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { buildProcessTree, describeProcess, processLabel, type ProcessNode } from '../src/core/format/processTree';
import { LocalTarget } from '../src/core/targets/local';
import { filterProcessForest } from '../src/extension/targets/processFilter';
import { median, round, timeMs, writeResult } from './support';
import { startProgram, type Started } from '../test/support/programs';

const EXTRA = Number(process.env.SNAG_BENCH_LISTING_PROCESSES ?? 2000);
const RUNS = Number(process.env.SNAG_BENCH_RUNS ?? 20);
const WARMUP = 2;
const REFRESHES = Number(process.env.SNAG_BENCH_REFRESHES ?? 30);
const REFRESH_EVERY_MS = 5000;
const PS_ARGV = ['ps', '-eo', 'pid,ppid,stat,pcpu,etimes,nlwp,comm,args'];

function quantile(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (at - lo);
}
const spread = (v: readonly number[]) => ({
  p25: round(quantile(v, 0.25)),
  p75: round(quantile(v, 0.75)),
  min: round(Math.min(...v)),
  max: round(Math.max(...v)),
});

/** EXTRA sleeps in one process group of their own, so one signal ends them all (also if this bench fails). */
async function startCrowd(n: number): Promise<{ stop: () => Promise<void> }> {
  const sh = spawn('sh', ['-c', `i=0; while [ "$i" -lt ${n} ]; do sleep 900 & i=$((i+1)); done; echo ready; wait`], {
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const group = sh.pid!;
  const kill = () => {
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      /* gone */
    }
  };
  process.on('exit', kill);
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.once(sig, () => {
      kill();
      process.exit(1);
    });
  await new Promise<void>((resolve, reject) => {
    sh.stdout!.once('data', () => resolve());
    sh.once('exit', (code) => reject(new Error(`the crowd of sleeps exited (${code}) before it was started`)));
  });
  return {
    stop: async () => {
      kill();
      // Wait until the group is gone (killed sleeps are reaped by init), so the next bench runs on a quiet table.
      for (let i = 0; i < 200; i++) {
        try {
          process.kill(-group, 0);
        } catch {
          return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

function processCount(): number {
  return spawnSync('ps', ['-e', '-o', 'pid='], { encoding: 'utf8' }).stdout.trim().split('\n').length;
}

/** CPU time of this process and of the children it waited for, in ms (children: utime + stime of the dead, from /proc/self/stat). */
function cpuMsNow(): number {
  const own = process.cpuUsage();
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  const childTicks = Number(f[13]) + Number(f[14]); // cutime + cstime
  return (own.user + own.system) / 1000 + childTicks * 10;
}

/** What the Processes view does with a listing each refresh, short of VS Code: the tree, the filter, each row's text. */
function drawRows(forest: ProcessNode[]): number {
  let chars = 0;
  const walk = (nodes: ProcessNode[]) => {
    for (const n of nodes) {
      chars += processLabel(n.process).length + describeProcess(n.process).length;
      walk(n.children);
    }
  };
  walk(filterProcessForest(forest, ''));
  return chars;
}

async function main(): Promise<void> {
  const programs: Started[] = [];
  const crowd = await startCrowd(EXTRA);
  try {
    for (const name of ['socket_recv.py', 'sleeping_thread.py', 'parent_child.py']) programs.push(await startProgram(name));
    const pythonPids = programs.map((p) => p.pid);
    const processes = processCount();
    if (processes < EXTRA) throw new Error(`only ${processes} processes running; the crowd of ${EXTRA} did not start`);

    // The listing must find what it is timed on.
    const check = await new LocalTarget().listProcesses();
    for (const pid of pythonPids)
      if (!check.some((p) => p.pid === pid && p.isPython)) throw new Error(`the listing did not find Python process ${pid}; nothing to time`);

    const variants = {
      ps: () => {
        const r = spawnSync(PS_ARGV[0]!, PS_ARGV.slice(1), { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
        if (r.status !== 0) throw new Error(`ps failed: ${r.stderr}`);
      },
      // `snag ps`: a new target each time.
      inProcess: () => new LocalTarget().listProcesses(),
      // `snag ps --all`, the view with "Python only" off.
      inProcessAll: () => new LocalTarget().listProcesses({ all: true }),
    };
    const samples: Record<keyof typeof variants, number[]> = { ps: [], inProcess: [], inProcessAll: [] };
    const ratios: number[] = [];
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const times: Partial<Record<keyof typeof variants, number>> = {};
      for (const [name, fn] of Object.entries(variants) as Array<[keyof typeof variants, () => unknown]>) times[name] = await timeMs(fn);
      if (i < WARMUP) continue;
      for (const k of Object.keys(variants) as Array<keyof typeof variants>) samples[k].push(times[k]!);
      ratios.push(times.inProcess! / times.ps!);
    }
    const med = { ps: median(samples.ps), inProcess: median(samples.inProcess), inProcessAll: median(samples.inProcessAll) };

    // The view's refresh: one target for the session, listed REFRESHES times back to back.
    const view = new LocalTarget();
    await view.listProcesses();
    const cpuPerRefresh: number[] = [];
    let rows = 0;
    for (let i = 0; i < REFRESHES; i++) {
      const before = cpuMsNow();
      rows = drawRows(buildProcessTree(await view.listProcesses()));
      cpuPerRefresh.push(cpuMsNow() - before);
    }
    const cpuMs = cpuPerRefresh.reduce((a, b) => a + b, 0) / REFRESHES;
    const load = loadavg();
    const result = {
      what: `median wall time of listing Python processes with ${EXTRA} extra processes running (${processes} in all), Snag in process vs a bare ${PS_ARGV.join(' ')}; refresh = CPU of the Processes view's listing and rows every ${REFRESH_EVERY_MS / 1000} s, % of one core`,
      runs: RUNS,
      processes,
      medianMs: { ps: round(med.ps), inProcess: round(med.inProcess), inProcessAll: round(med.inProcessAll) },
      spreadMs: { ps: spread(samples.ps), inProcess: spread(samples.inProcess), inProcessAll: spread(samples.inProcessAll) },
      ratio: {
        inProcessVsPs: round(med.inProcess / med.ps),
        inProcessAllVsPs: round(med.inProcessAll / med.ps),
        perRunInProcessVsPs: { median: round(median(ratios)), p25: round(quantile(ratios, 0.25)), p75: round(quantile(ratios, 0.75)) },
      },
      msPer1000: round((med.inProcess / processes) * 1000),
      msPer1000All: round((med.inProcessAll / processes) * 1000),
      refresh: {
        refreshes: REFRESHES,
        rowsTextChars: rows,
        cpuMsPerRefresh: round(cpuMs),
        cpuMsMedian: round(median(cpuPerRefresh)),
        cpuMsSpread: spread(cpuPerRefresh),
        percentOfCore: round((cpuMs / REFRESH_EVERY_MS) * 100),
      },
      measuredAt: new Date().toISOString(),
      machine: { cpus: cpus().length, loadAverage1m: round(load[0]!), loadAverage5m: round(load[1]!) },
    };
    writeResult('listing', result);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    for (const p of programs) p.stop();
    await crowd.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
