// Snag's dump vs a bare `py-spy dump --json` on the same stuck process, in the same run:
// the built CLI end to end (node start-up, py-spy, parsing, mapping, findings, JSON) and the
// in-process dumpProcess (what the extension calls). Medians over RUNS, interleaved so that
// machine noise hits all three alike. Writes the key `dump` of bench/results.json.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { round, median, timeMs, writeResult } from './support';
import { startProgram } from '../test/support/programs';
import { CLI, dumpLocal, ensureBuilt } from '../test/support/snag';
import { which } from '../test/support/tools';

const RUNS = Number(process.env.SNAG_BENCH_RUNS ?? 30);
const WARMUP = 3;

function mustSucceed(argv: string[]): void {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 60_000, env: { ...process.env, RUST_BACKTRACE: '0' } });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
}

async function main(): Promise<void> {
  const pyspy = which('py-spy');
  if (!pyspy) throw new Error('py-spy is not installed (run bash scripts/setup.sh core)');
  ensureBuilt();
  const prog = await startProgram('socket_recv.py');
  try {
    const pid = String(prog.pid);
    const variants: Record<'pyspy' | 'inProcess' | 'cli', () => Promise<unknown> | void> = {
      pyspy: () => mustSucceed([pyspy, 'dump', '--pid', pid, '--json']),
      inProcess: () => dumpLocal(prog.pid, pyspy),
      cli: () => mustSucceed([process.execPath, CLI, 'dump', pid, '--json', '--pyspy', pyspy]),
    };
    const samples: Record<keyof typeof variants, number[]> = { pyspy: [], inProcess: [], cli: [] };
    for (let i = 0; i < WARMUP + RUNS; i++) {
      for (const [name, fn] of Object.entries(variants) as Array<[keyof typeof variants, () => unknown]>) {
        const ms = await timeMs(fn);
        if (i >= WARMUP) samples[name].push(ms);
      }
    }
    const med = { pyspy: median(samples.pyspy), inProcess: median(samples.inProcess), cli: median(samples.cli) };
    const result = {
      what: 'median wall time of one dump of a process stuck in socket.recv (2 threads), Snag vs bare py-spy dump --json',
      runs: RUNS,
      medianMs: { pyspy: round(med.pyspy), inProcess: round(med.inProcess), cli: round(med.cli) },
      ratio: { inProcessVsPyspy: round(med.inProcess / med.pyspy), cliVsPyspy: round(med.cli / med.pyspy) },
      measuredAt: new Date().toISOString(),
      // Other work on the machine inflates the CLI's node start-up most; keep the context.
      machine: { cpus: cpus().length, loadAverage1m: round(loadavg()[0]!) },
    };
    writeResult('dump', result);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    prog.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
