// The soak: 1,000 dumps in-process (dumpProcess + LocalTarget + PySpyBackend + SourceMapper, one
// set of them reused as the extension does), 100 through the built CLI, 50 with `--backend gdb`,
// all of one stuck service with six threads, one of them ticking. After every dump: is the target
// stopped (state T) or still traced, is a py-spy/gdb still working on it, did the bench gain a
// child; over the run: descriptors and RSS of the bench process, and the heartbeat kept advancing.
// Writes the key `soak` of bench/results.json. SNAG_SOAK_DUMPS / _CLI / _GDB change the counts.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { median, round, writeResult } from './support';
import { childrenOfSelf, heartbeat, killPids, lookAtTarget, openFds, resume, sleep, startTickingService, toolsOn } from './watch';
import { PySpyBackend } from '../src/core/backends/pyspy';
import { dumpProcess } from '../src/core/pipeline/dumpProcess';
import { SnagError } from '../src/core/errors';
import { SourceMapper } from '../src/core/mapping/sourceMap';
import { LocalTarget } from '../src/core/targets/local';
import { CLI, ensureBuilt } from '../test/support/snag';
import { which } from '../test/support/tools';

const DUMPS = Number(process.env.SNAG_SOAK_DUMPS ?? 1000);
const CLI_DUMPS = Number(process.env.SNAG_SOAK_CLI ?? 100);
const GDB_DUMPS = Number(process.env.SNAG_SOAK_GDB ?? 50);
const WARMUP = 20;
/** The fixture's threads: MainThread, ticker and four stuck ones. */
const THREADS = 6;
const FIXTURES = join(__dirname, 'fixtures');

/** A full gc where possible: --expose-gc, or the flag set at run time (V8 allows it before first use). */
function gcFunction(): (() => void) | undefined {
  if (typeof globalThis.gc === 'function') return globalThis.gc;
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

interface Phase {
  dumps: number;
  successes: number;
  /** By SnagError reason (in-process) or by exit code and first words of stderr (CLI). */
  failures: Record<string, number>;
  /** A task in state T right after a dump returned (then resumed by the bench). */
  leftStopped: number;
  /** A task still had a tracer right after a dump returned. */
  leftTraced: number;
  /** A py-spy/gdb still working on the target after a dump returned (then killed by the bench). */
  leftoverTools: number;
  /** The bench process had a child after a dump returned (besides the fixture and tsx's esbuild). */
  leftoverChildren: number;
  /** Heartbeat checkpoints (every 50 dumps) at which the tick count had not moved. */
  heartbeatStalls: number;
  ms: number[];
}

const newPhase = (): Phase => ({
  dumps: 0,
  successes: 0,
  failures: {},
  leftStopped: 0,
  leftTraced: 0,
  leftoverTools: 0,
  leftoverChildren: 0,
  heartbeatStalls: 0,
  ms: [],
});

function summary(p: Phase) {
  const { ms, ...counts } = p;
  const total = ms.reduce((a, b) => a + b, 0);
  return {
    ...counts,
    failureCount: p.dumps - p.successes,
    msPerDump: round(total / Math.max(1, ms.length)),
    medianMs: round(median(ms.length ? ms : [0])),
    maxMs: round(Math.max(0, ...ms)),
  };
}

/** One dump timed, then the after-dump checks; `dumpOnce` resolves with a failure key or undefined. */
async function step(
  p: Phase,
  pid: number,
  hb: { file: string; last: number },
  resident: readonly number[],
  dumpOnce: () => Promise<string | undefined>,
): Promise<void> {
  const start = performance.now();
  let failure: string | undefined;
  try {
    failure = await dumpOnce();
  } catch (err) {
    failure = SnagError.is(err) ? err.reason : err instanceof Error ? `${err.name}: ${err.message.slice(0, 80)}` : String(err);
  }
  p.ms.push(performance.now() - start);
  p.dumps++;
  if (failure === undefined) p.successes++;
  else {
    p.failures[failure] = (p.failures[failure] ?? 0) + 1;
    if (p.failures[failure] === 1) console.log(`  first failure of its kind (dump ${p.dumps}): ${failure}`);
  }
  const look = lookAtTarget(pid);
  if (look.stopped) {
    p.leftStopped++;
    resume(pid);
  }
  if (look.traced) p.leftTraced++;
  const tools = toolsOn(pid);
  if (tools.length) {
    p.leftoverTools++;
    killPids(tools);
  }
  if (childrenOfSelf(resident).length) p.leftoverChildren++;
  if (p.dumps % 50 === 0) {
    const now = heartbeat(hb.file);
    if (now <= hb.last) p.heartbeatStalls++;
    hb.last = now;
  }
}

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

function runCli(args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { timeout: 120_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, RUST_BACKTRACE: '0' } },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** A CLI dump's failure key, or undefined when it printed a dump of every thread. */
function cliFailure(r: CliRun, methods?: Record<string, number>): string | undefined {
  if (r.code !== 0) return `exit ${r.code}: ${r.stderr.trim().slice(0, 100)}`;
  try {
    const d = JSON.parse(r.stdout) as { threads?: unknown[]; method?: string };
    if (methods) methods[d.method ?? '?'] = (methods[d.method ?? '?'] ?? 0) + 1;
    return (d.threads?.length ?? 0) >= THREADS ? undefined : `incomplete: ${d.threads?.length ?? 0} threads`;
  } catch (err) {
    return `bad JSON: ${err instanceof Error ? err.message : err}`;
  }
}

async function main(): Promise<void> {
  const pyspy = which('py-spy');
  if (!pyspy) throw new Error('py-spy is not installed (run bash scripts/setup.sh core)');
  const gdb = which('gdb');
  ensureBuilt();
  const gc = gcFunction();
  const dir = mkdtempSync(join(tmpdir(), 'snag-soak-'));
  const hbFile = join(dir, 'heartbeat');
  const prog = await startTickingService(hbFile);
  const began = Date.now();
  try {
    const pid = prog.pid;
    const hb = { file: hbFile, last: heartbeat(hbFile) };
    const firstTick = hb.last;
    // Children from before the first dump: the fixture, and the esbuild service tsx runs.
    const resident = childrenOfSelf();
    // One target, backend and mapper for the whole run, as the extension keeps them.
    const target = new LocalTarget();
    const backend = new PySpyBackend(async () => pyspy);
    const mapper = new SourceMapper({ workspaceRoots: [FIXTURES] });
    const dumpOnce = async () => {
      const d = await dumpProcess({ target, pid, backend, mapper, timeoutMs: 60_000 });
      return d.threads.length >= THREADS ? undefined : `incomplete: ${d.threads.length} threads`;
    };

    const warm = newPhase();
    for (let i = 0; i < WARMUP; i++) await step(warm, pid, hb, resident, dumpOnce);
    gc?.();
    const fdsBefore = openFds();
    const rssBefore = process.memoryUsage().rss;
    const heapBefore = process.memoryUsage().heapUsed;

    console.log(`in-process: ${DUMPS} dumps of pid ${pid}`);
    const inProcess = newPhase();
    // RSS after a gc every 250 dumps: a leak keeps climbing, allocator warm-up levels off.
    const rssTrend = [round(rssBefore / 1024 / 1024, 1)];
    for (let i = 0; i < DUMPS; i++) {
      await step(inProcess, pid, hb, resident, dumpOnce);
      if ((i + 1) % 250 === 0) {
        gc?.();
        rssTrend.push(round(process.memoryUsage().rss / 1024 / 1024, 1));
        console.log(
          `  ${i + 1} dumps, ${Object.keys(inProcess.failures).length ? JSON.stringify(inProcess.failures) : 'no failures'}, rss ${rssTrend.at(-1)} MB`,
        );
      }
    }
    // Let execa's and the pipes' last callbacks run before counting what is left open.
    await sleep(200);
    gc?.();
    const fdsAfter = openFds();
    const rssAfter = process.memoryUsage().rss;
    const heapAfter = process.memoryUsage().heapUsed;

    console.log(`CLI: ${CLI_DUMPS} dumps`);
    const cli = newPhase();
    for (let i = 0; i < CLI_DUMPS; i++)
      await step(cli, pid, hb, resident, async () => cliFailure(await runCli(['dump', String(pid), '--json', '--pyspy', pyspy, '--root', FIXTURES])));

    // gdb reads what it can of this interpreter (py-bt, frame objects, or native frames only).
    const gdbPhase = newPhase();
    const gdbMethods: Record<string, number> = {};
    let gdbSkipped: string | undefined = gdb ? undefined : 'gdb is not installed';
    if (gdb) {
      const probe = await runCli(['dump', String(pid), '--json', '--backend', 'gdb', '--gdb', gdb, '--root', FIXTURES]);
      if (probe.code !== 0) gdbSkipped = `gdb cannot dump the fixture: ${probe.stderr.trim().slice(0, 200)}`;
    }
    if (!gdbSkipped) {
      console.log(`gdb: ${GDB_DUMPS} dumps`);
      for (let i = 0; i < GDB_DUMPS; i++)
        await step(gdbPhase, pid, hb, resident, async () =>
          cliFailure(await runCli(['dump', String(pid), '--json', '--backend', 'gdb', '--gdb', gdb!, '--root', FIXTURES]), gdbMethods),
        );
    } else console.log(`gdb skipped: ${gdbSkipped}`);

    const lastTick = heartbeat(hbFile);
    const phases = { inProcess, cli, gdb: gdbPhase };
    const all = Object.values(phases);
    const sum = (f: (p: Phase) => number) => all.reduce((a, p) => a + f(p), 0);
    const result = {
      what: `${DUMPS} in-process py-spy dumps + ${CLI_DUMPS} CLI dumps + ${GDB_DUMPS} CLI gdb dumps of one stuck service (6 threads: lock, queue, socket recv, sleep, event wait, and a ticker); after each: target state, tracer, leftover tools and children`,
      dumps: sum((p) => p.dumps),
      successes: sum((p) => p.successes),
      failures: sum((p) => p.dumps - p.successes),
      leftStopped: sum((p) => p.leftStopped),
      leftTraced: sum((p) => p.leftTraced),
      leftoverTools: sum((p) => p.leftoverTools),
      leftoverChildren: sum((p) => p.leftoverChildren),
      heartbeatStalls: sum((p) => p.heartbeatStalls),
      heartbeatAdvanced: lastTick > firstTick,
      heartbeatTicks: lastTick - firstTick,
      // Over the in-process dumps (after a warm-up of WARMUP dumps), after a full gc.
      fdBefore: fdsBefore,
      fdAfter: fdsAfter,
      fdLeak: fdsAfter - fdsBefore,
      rssGrowthMb: round((rssAfter - rssBefore) / 1024 / 1024),
      rssMbEvery250: rssTrend,
      // From the first checkpoint on: what keeps growing once allocator and JIT have warmed up.
      rssGrowthAfter250Mb: round(rssTrend.at(-1)! - (rssTrend[1] ?? rssTrend[0]!), 1),
      heapGrowthMb: round((heapAfter - heapBefore) / 1024 / 1024),
      gcAvailable: gc !== undefined,
      msPerDump: summary(inProcess).msPerDump,
      phases: {
        inProcess: summary(inProcess),
        cli: summary(cli),
        gdb: { ...summary(gdbPhase), methods: gdbMethods, ...(gdbSkipped ? { skipped: gdbSkipped } : {}) },
      },
      wallSeconds: round((Date.now() - began) / 1000, 1),
      measuredAt: new Date().toISOString(),
      machine: { cpus: cpus().length, loadAverage1m: round(loadavg()[0]!) },
    };
    writeResult('soak', result);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    prog.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
