// What sampling costs: the slowdown of a CPU-bound Python program while Snag samples it at 10 Hz
// and 100 Hz, next to bare `py-spy record` at the same rates and to no sampling at all, in the
// same run (windows interleaved so machine noise hits all alike); and the CPU of the process that
// runs Snag's sampler (the code the extension host runs). Writes the key `sampling`.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { heatByFile } from '../src/core/format/heat';
import { RecordSource } from '../src/core/sampling/recordSource';
import { createSampler } from '../src/core/sampling/sampleProcess';
import { SamplingSession } from '../src/core/sampling/samplingSession';
import { SourceMapper } from '../src/core/mapping/sourceMap';
import { LocalTarget } from '../src/core/targets/local';
import { PROGRAMS, startProgram } from '../test/support/programs';
import { which } from '../test/support/tools';
import { median, round, writeResult } from './support';

const WINDOW_MS = Number(process.env.SNAG_BENCH_WINDOW_MS ?? 4000);
const ROUNDS = Number(process.env.SNAG_BENCH_RUNS ?? 3);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rounds(file: string): number {
  try {
    return Number(readFileSync(file, 'utf8')) || 0;
  } catch {
    return 0;
  }
}

interface Window {
  roundsPerSecond: number;
  /** CPU of this node process during the window, % of one core. */
  snagCpuPercent: number;
}

/** Measures the target's rate over one window while `during` runs (started before, stopped after). */
async function measure(file: string, during: () => Promise<() => Promise<void>>): Promise<Window> {
  const stop = await during();
  await sleep(1200); // let the sampler reach its steady state
  const cpu0 = process.cpuUsage();
  const r0 = rounds(file);
  const t0 = Date.now();
  await sleep(WINDOW_MS);
  const r1 = rounds(file);
  const elapsed = Date.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await stop();
  return { roundsPerSecond: ((r1 - r0) * 1000) / elapsed, snagCpuPercent: ((cpu.user + cpu.system) / 1000 / elapsed) * 100 };
}

async function main(): Promise<void> {
  const pyspy = which('py-spy');
  if (!pyspy) throw new Error('py-spy is not installed (run bash scripts/setup.sh core)');
  const dir = mkdtempSync(join(tmpdir(), 'snag-bench-sampling-'));
  const file = join(dir, 'progress');
  const prog = await startProgram('cpu_progress.py', [file]);
  try {
    const snag = (rateHz: number) => async () => {
      // The sampler as the extension and the CLI build it: frames mapped, stacks explained.
      const target = new LocalTarget();
      const source = new RecordSource(target, async () => pyspy, { pid: prog.pid, rateHz });
      const sampler = await createSampler({ target, pid: prog.pid, source, mapper: new SourceMapper({ workspaceRoots: [PROGRAMS] }), rateHz });
      const session = new SamplingSession({ source, sampler });
      void session.start();
      // What the extension does on top while the view is open: the profile and the heat, 4 times a second.
      const views = setInterval(() => heatByFile(sampler.profile()), 250);
      return async () => {
        clearInterval(views);
        await session.stop();
        if (session.failure) throw session.failure;
        if (sampler.samples === 0) throw new Error('Snag took no samples');
      };
    };
    const raw = (rateHz: number) => async () => {
      const child = spawn(
        pyspy,
        ['record', '--pid', String(prog.pid), '--rate', String(rateHz), '--idle', '--format', 'raw', '--output', join(dir, 'raw.txt')],
        { stdio: 'ignore' },
      );
      return async () => {
        child.kill('SIGINT');
        await new Promise((r) => child.once('exit', r));
      };
    };
    const none = async () => async () => undefined;
    const variants = { none, snag10: snag(10), snag100: snag(100), pyspyRecord10: raw(10), pyspyRecord100: raw(100) };
    const seen: Record<string, Window[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
    for (let i = 0; i < ROUNDS; i++) for (const [name, v] of Object.entries(variants)) seen[name]!.push(await measure(file, v));
    const rate = (k: string) => median(seen[k]!.map((w) => w.roundsPerSecond));
    const cpu = (k: string) => round(median(seen[k]!.map((w) => w.snagCpuPercent)), 1);
    const slowdown = (k: string) => round(1 - rate(k) / rate('none'), 3);
    const result = {
      what: 'CPU-bound Python program (rounds of squaring per second) while sampled; slowdown = 1 - rate/unsampled rate; snagProcessCpuPercent = CPU of the process running the sampler and recomputing the profile and heat 4 times a second as the extension host does, % of one core',
      windowMs: WINDOW_MS,
      rounds: ROUNDS,
      roundsPerSecond: Object.fromEntries(Object.keys(variants).map((k) => [k, round(rate(k))])),
      slowdown: {
        snag10Hz: slowdown('snag10'),
        snag100Hz: slowdown('snag100'),
        pyspyRecord10Hz: slowdown('pyspyRecord10'),
        pyspyRecord100Hz: slowdown('pyspyRecord100'),
      },
      snagProcessCpuPercent: { idle: cpu('none'), sampling10Hz: cpu('snag10'), sampling100Hz: cpu('snag100') },
      measuredAt: new Date().toISOString(),
      machine: { cpus: cpus().length, loadAverage1m: round(loadavg()[0]!) },
    };
    writeResult('sampling', result);
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
