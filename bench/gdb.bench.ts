// The gdb backend vs `py-spy dump --native --json` on the same stuck process (the finalizer blocked
// in libc's pause(), pyenv CPython), in the same run, interleaved: Snag's in-process gdb dump
// (gdb start-up, attach, python-gdb.py, merge, the stopped-process check), a bare gdb
// `thread apply all bt` for scale, and py-spy --native. Then at scale: 500 threads each 60 Python
// frames deep (many_waiters.py), Snag's gdb dump (`msFor500x60`) against py-spy dump --json on the
// same process. Writes the key `gdb` of bench/results.json.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { median, round, timeMs, writeResult } from './support';
import { GdbBackend } from '../src/core/backends/gdb';
import { LocalTarget } from '../src/core/targets/local';
import { startProgram } from '../test/support/programs';
import { which } from '../test/support/tools';

const RUNS = Number(process.env.SNAG_BENCH_RUNS ?? 10);
const WARMUP = 2;
/** Dumps of the 500 × 60 process (each a few seconds). */
const SCALE_RUNS = Number(process.env.SNAG_BENCH_SCALE_RUNS ?? 5);
/** many_waiters.py's DEPTH for 60 Python frames a worker: _bootstrap, _bootstrap_inner, run, worker, then descend DEPTH + 1 times. */
const SCALE_THREADS = 500;
const SCALE_DEPTH = 55;

/** Medians (and the spread) of Snag's gdb dump and py-spy's on 500 threads × 60 frames. */
async function atScale(gdb: string, pyspy: string): Promise<Record<string, unknown>> {
  const prog = await startProgram('many_waiters.py', [String(SCALE_THREADS), String(SCALE_DEPTH)], { readyTimeoutMs: 120_000 });
  try {
    const backend = new GdbBackend(async () => gdb);
    const target = new LocalTarget();
    const snag: number[] = [];
    const bare: number[] = [];
    let shape = '';
    for (let i = 0; i < SCALE_RUNS; i++) {
      snag.push(
        await timeMs(async () => {
          const d = await backend.dump(target, prog.pid, { threads: SCALE_THREADS + 1 });
          const python = d.threads.map((t) => t.frames.filter((f) => !f.native).length);
          shape = `${d.threads.length} threads, up to ${Math.max(...python)} Python frames a thread (${d.method})`;
        }),
      );
      bare.push(await timeMs(() => mustSucceed([pyspy, 'dump', '--pid', String(prog.pid), '--json'])));
    }
    return {
      msFor500x60: round(median(snag)),
      scale: {
        what: `${SCALE_THREADS} threads blocked on one lock, each 60 Python frames deep (many_waiters.py ${SCALE_THREADS} ${SCALE_DEPTH}): Snag's gdb dump vs py-spy dump --json`,
        read: shape,
        runs: SCALE_RUNS,
        snagGdbMs: { median: round(median(snag)), min: round(Math.min(...snag)), max: round(Math.max(...snag)) },
        pyspyMs: { median: round(median(bare)), min: round(Math.min(...bare)), max: round(Math.max(...bare)) },
      },
    };
  } finally {
    prog.stop();
  }
}

function mustSucceed(argv: string[]): void {
  const r = spawnSync(argv[0]!, argv.slice(1), {
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, RUST_BACKTRACE: '0' },
  });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
}

async function main(): Promise<void> {
  const pyspy = which('py-spy');
  const gdb = which('gdb');
  if (!pyspy || !gdb) throw new Error('py-spy and gdb are needed (run bash scripts/setup.sh core)');
  const prog = await startProgram('gc_finalizer_c.py', [], { readyTimeoutMs: 30_000 });
  try {
    const pid = String(prog.pid);
    const backend = new GdbBackend(async () => gdb);
    const target = new LocalTarget();
    const variants = {
      snagGdb: () => backend.dump(target, prog.pid, { timeoutMs: 120_000 }),
      bareGdbBt: () => mustSucceed([gdb, '-nx', '-q', '-batch', '-iex', 'set debuginfod enabled off', '-p', pid, '-ex', 'thread apply all bt']),
      pyspyNative: () => mustSucceed([pyspy, 'dump', '--pid', pid, '--native', '--json']),
    };
    type Name = keyof typeof variants;
    const samples: Record<Name, number[]> = { snagGdb: [], bareGdbBt: [], pyspyNative: [] };
    for (let i = 0; i < WARMUP + RUNS; i++) {
      for (const [name, fn] of Object.entries(variants) as Array<[Name, () => unknown]>) {
        const ms = await timeMs(fn);
        if (i >= WARMUP) samples[name].push(ms);
      }
    }
    const med = { snagGdb: median(samples.snagGdb), bareGdbBt: median(samples.bareGdbBt), pyspyNative: median(samples.pyspyNative) };
    const scale = await atScale(gdb, pyspy);
    const result = {
      what: 'median wall time of one dump with native frames of a process blocked in pause() under __del__ (pyenv CPython 3.11): Snag gdb backend vs bare gdb bt vs py-spy dump --native --json',
      runs: RUNS,
      medianMs: { snagGdb: round(med.snagGdb), bareGdbBt: round(med.bareGdbBt), pyspyNative: round(med.pyspyNative) },
      ratio: { snagGdbVsPyspyNative: round(med.snagGdb / med.pyspyNative), snagGdbVsBareGdbBt: round(med.snagGdb / med.bareGdbBt) },
      ...scale,
      measuredAt: new Date().toISOString(),
      machine: { cpus: cpus().length, loadAverage1m: round(loadavg()[0]!) },
    };
    writeResult('gdb', result);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    prog.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
