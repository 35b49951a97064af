// The gdb backend vs `py-spy dump --native --json` on the same stuck process (the finalizer blocked
// in libc's pause(), pyenv CPython), in the same run, interleaved: Snag's in-process gdb dump
// (gdb start-up, attach, python-gdb.py, merge, the stopped-process check), a bare gdb
// `thread apply all bt` for scale, and py-spy --native. Writes the key `gdb` of bench/results.json.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { median, round, timeMs, writeResult } from './support';
import { GdbBackend } from '../src/core/backends/gdb';
import { LocalTarget } from '../src/core/targets/local';
import { startProgram } from '../test/support/programs';
import { which } from '../test/support/tools';

const RUNS = Number(process.env.SNAG_BENCH_RUNS ?? 10);
const WARMUP = 2;

function mustSucceed(argv: string[]): void {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 120_000, env: { ...process.env, RUST_BACKTRACE: '0' } });
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
    const result = {
      what: 'median wall time of one dump with native frames of a process blocked in pause() under __del__ (pyenv CPython 3.11): Snag gdb backend vs bare gdb bt vs py-spy dump --native --json',
      runs: RUNS,
      medianMs: { snagGdb: round(med.snagGdb), bareGdbBt: round(med.bareGdbBt), pyspyNative: round(med.pyspyNative) },
      ratio: { snagGdbVsPyspyNative: round(med.snagGdb / med.pyspyNative), snagGdbVsBareGdbBt: round(med.snagGdb / med.bareGdbBt) },
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
