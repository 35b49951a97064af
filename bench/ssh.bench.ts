// A remote dump through Snag's multiplexed ssh connection vs the same dump through a fresh `ssh`
// each time (a full handshake, as a plain `ssh host py-spy dump …` costs), vs a local dump — on
// one stuck process, against a private sshd on 127.0.0.1 (so the network adds nearly nothing and
// the difference is the handshake). Medians over RUNS, interleaved. Writes the key `ssh` of
// bench/results.json. The login shell's start-up files run for every remote command and count.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PySpyBackend } from '../src/core/backends/pyspy';
import { dumpProcess } from '../src/core/pipeline/dumpProcess';
import { SourceMapper } from '../src/core/mapping/sourceMap';
import { SshTarget } from '../src/core/targets/ssh';
import { PROGRAMS, startProgram } from '../test/support/programs';
import { dumpLocal } from '../test/support/snag';
import { launchSshd } from '../test/support/sshd';
import { which } from '../test/support/tools';
import { median, round, timeMs, writeResult } from './support';

const RUNS = Number(process.env.SNAG_BENCH_RUNS ?? 20);
const WARMUP = 2;

function mustSucceed(argv: string[]): void {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
}

async function main(): Promise<void> {
  const pyspy = which('py-spy');
  if (!pyspy) throw new Error('py-spy is not installed (run bash scripts/setup.sh core)');
  const sshd = await launchSshd();
  const prog = await startProgram('socket_recv.py');
  const target = new SshTarget({ host: sshd.host, configFile: sshd.clientConfig, controlDir: join(sshd.dir, 'ctl'), pyspyPath: pyspy });
  try {
    const pid = prog.pid;
    const mapper = new SourceMapper({ workspaceRoots: [PROGRAMS] });
    const backend = new PySpyBackend(async () => pyspy);
    const remoteArgv = [pyspy, 'dump', '--pid', String(pid), '--json'];
    const variants = {
      /** Snag: dumpProcess on the ssh target, through the open ControlMaster connection. */
      snagMultiplexed: () => dumpProcess({ target, pid, backend, mapper }),
      /** A plain ssh with no multiplexing: a new connection and handshake per dump. */
      sshFresh: () => mustSucceed(['ssh', '-F', sshd.clientConfig, '-o', 'ControlMaster=no', '-o', 'ControlPath=none', sshd.host, '--', ...remoteArgv]),
      /** The same plain ssh command through Snag's open master (the remote command's own cost). */
      sshMultiplexed: () => mustSucceed(target.runner.wrap(remoteArgv)),
      /** Snag on the same process locally, no ssh at all. */
      snagLocal: () => dumpLocal(pid, pyspy),
    };
    type Name = keyof typeof variants;
    const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, [] as number[]])) as Record<Name, number[]>;
    await target.runner.connect();
    for (let i = 0; i < WARMUP + RUNS; i++) {
      for (const [name, fn] of Object.entries(variants) as [Name, () => unknown][]) {
        const ms = await timeMs(fn);
        if (i >= WARMUP) samples[name].push(ms);
      }
    }
    const med = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, round(median(v))])) as Record<Name, number>;
    const result = {
      what: 'median wall time of one py-spy dump of a process stuck in socket.recv, over ssh to a private sshd on 127.0.0.1 (login shell start-up included) vs locally',
      runs: RUNS,
      medianMs: med,
      ratio: {
        freshVsMultiplexed: round(med.sshFresh / med.snagMultiplexed),
        multiplexedVsLocal: round(med.snagMultiplexed / med.snagLocal),
        snagVsRawMultiplexed: round(med.snagMultiplexed / med.sshMultiplexed),
      },
      measuredAt: new Date().toISOString(),
    };
    writeResult('ssh', result);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await target.runner.close();
    prog.stop();
    sshd.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
