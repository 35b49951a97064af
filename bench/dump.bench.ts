// Snag's dump vs a bare `py-spy dump --json` on the same stuck process, in the same run:
// the built CLI end to end (node start-up, py-spy, parsing, mapping, findings, JSON), the
// in-process dumpProcess (what the extension calls), and the CLI's start-up (`node -e 0`,
// `snag --help`). Medians (with p25/p75, min/max) over RUNS, interleaved so that machine noise hits
// all alike. Writes the key `dump` of bench/results.json.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { round, median, timeMs, writeResult } from './support';
import { startProgram } from '../test/support/programs';
import { CLI, dumpLocal, ensureBuilt } from '../test/support/snag';
import { which } from '../test/support/tools';

const RUNS = Number(process.env.SNAG_BENCH_RUNS ?? 30);
const WARMUP = 3;
const VARIANTS = ['pyspy', 'inProcess', 'node', 'cli', 'help'] as const;
type Variant = (typeof VARIANTS)[number];

/** The q-quantile (0..1) of the values, interpolated between neighbours. */
function quantile(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (at - lo);
}

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
    // node alone and `snag --help` give the CLI's start-up: its targets are node + py-spy + 15 ms for
    // a dump and node + 10 ms for the help.
    const variants: Record<Variant, () => Promise<unknown> | void> = {
      pyspy: () => mustSucceed([pyspy, 'dump', '--pid', pid, '--json']),
      inProcess: () => dumpLocal(prog.pid, pyspy),
      node: () => mustSucceed([process.execPath, '-e', '0']),
      cli: () => mustSucceed([process.execPath, CLI, 'dump', pid, '--json', '--pyspy', pyspy]),
      help: () => mustSucceed([process.execPath, CLI, '--help']),
    };
    const samples = Object.fromEntries(VARIANTS.map((v) => [v, [] as number[]])) as Record<Variant, number[]>;
    const loadBefore = loadavg()[0]!;
    for (let i = 0; i < WARMUP + RUNS; i++) {
      for (const name of VARIANTS) {
        const ms = await timeMs(variants[name]);
        if (i >= WARMUP) samples[name].push(ms);
      }
    }
    const med = Object.fromEntries(VARIANTS.map((v) => [v, median(samples[v])])) as Record<Variant, number>;
    const spread = Object.fromEntries(
      VARIANTS.map((v) => [
        v,
        {
          p25: round(quantile(samples[v], 0.25)),
          p75: round(quantile(samples[v], 0.75)),
          min: round(Math.min(...samples[v])),
          max: round(Math.max(...samples[v])),
        },
      ]),
    );
    const result = {
      what: 'median wall time of one dump of a process stuck in socket.recv (2 threads), Snag vs bare py-spy dump --json; node -e 0 and snag --help for the CLI start-up (all interleaved in one run)',
      runs: RUNS,
      medianMs: Object.fromEntries(VARIANTS.map((v) => [v, round(med[v])])),
      spreadMs: spread,
      ratio: {
        inProcessVsPyspy: round(med.inProcess / med.pyspy),
        cliVsPyspyPlusNode: round(med.cli / (med.node + med.pyspy)),
        cliVsPyspy: round(med.cli / med.pyspy),
      },
      // Targets: the CLI's dump at most 15 ms over node + py-spy, its help at most 10 ms over node.
      overheadMs: { cliOverNodePlusPyspy: round(med.cli - med.node - med.pyspy), helpOverNode: round(med.help - med.node) },
      measuredAt: new Date().toISOString(),
      // Other work on the machine inflates the CLI's node start-up most; keep the context.
      machine: { cpus: cpus().length, loadAverage1m: round(loadavg()[0]!), loadAverage1mBefore: round(loadBefore) },
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
