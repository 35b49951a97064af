// A real Podman for tests, isolated from the machine's own: storage and engine configuration in a
// temp folder, handed to every podman call (the tests' and Snag's) through CONTAINERS_STORAGE_CONF
// and CONTAINERS_CONF. Podman has no daemon: stop() removes the test's containers and the folder.
// The test image is the Docker tests' one (.cache/docker/), loaded or built with podman itself.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type RunOptions } from '../../src/core/run';
import { ensureTestImage, type EngineOrReason } from './dockerEngine';
import { which } from './tools';

export async function startPodmanEngine(): Promise<EngineOrReason> {
  if (!which('podman')) return { unavailable: 'podman is not installed (run bash scripts/setup.sh docker)' };
  const dir = await mkdtemp(join(tmpdir(), 'snag-podman-'));
  for (const d of ['root', 'run', 'tmp']) mkdirSync(join(dir, d));
  writeFileSync(join(dir, 'storage.conf'), `[storage]\ndriver = "overlay"\nrunroot = "${dir}/run"\ngraphroot = "${dir}/root"\n`);
  // cgroupfs and a file event log: no systemd needed. Small explicit rlimits: podman's default
  // raises them, which a host without CAP_SYS_RESOURCE (some sandboxes) refuses.
  writeFileSync(
    join(dir, 'containers.conf'),
    `[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n\n[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\nevents_logfile_path = "${dir}/events.log"\ntmp_dir = "${dir}/tmp"\n`,
  );
  const saved = { storage: process.env.CONTAINERS_STORAGE_CONF, conf: process.env.CONTAINERS_CONF };
  process.env.CONTAINERS_STORAGE_CONF = join(dir, 'storage.conf');
  process.env.CONTAINERS_CONF = join(dir, 'containers.conf');
  const cli = async (args: string[], opts: RunOptions = {}) => (await run(['podman', ...args], { timeoutMs: 120_000, ...opts })).stdout;
  const stop = async () => {
    try {
      const ids = (await cli(['ps', '-aq'], { timeoutMs: 15_000 })).split('\n').filter(Boolean);
      if (ids.length) await cli(['rm', '-f', '-t', '0', ...ids], { timeoutMs: 60_000 });
    } catch {
      /* nothing left to remove */
    }
    // Storage keeps a bind mount of its own (and any mount a crash left): undo those under dir only.
    const mounts = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[1] ?? '')
      .filter((m) => m.startsWith(`${dir}/`));
    for (const m of mounts.reverse()) await run(['umount', '-l', m], { timeoutMs: 15_000 }).catch(() => undefined);
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    process.env.CONTAINERS_STORAGE_CONF = saved.storage;
    process.env.CONTAINERS_CONF = saved.conf;
    if (saved.storage === undefined) delete process.env.CONTAINERS_STORAGE_CONF;
    if (saved.conf === undefined) delete process.env.CONTAINERS_CONF;
  };
  try {
    await cli(['info', '--format', '{{.Host.Arch}}'], { timeoutMs: 60_000 });
    const { image, python } = await ensureTestImage(cli);
    return { kind: 'podman', dockerHost: '', isPrivate: true, image, python, cli, stop };
  } catch (err) {
    await stop();
    return { unavailable: `podman does not work here: ${(err as Error).message}` };
  }
}
