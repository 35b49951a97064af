// A real Docker engine for tests: the one already running (DOCKER_HOST or the default socket), or
// else a private dockerd of this test file's own (data-root, exec-root, pidfile and socket in a
// temp folder; --iptables=false --bridge=none, so the host's network is left alone), stopped by PID
// at the end. The test image is a small Python built without any registry (`FROM scratch` + the
// host's Debian python3 and the libraries it links), saved under .cache/docker/ and loaded from
// there next time. Containers run with `--network none` and the label dev.snag.test.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, symlinkSync, writeFileSync, closeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { TestContext } from 'node:test';
import { run, type RunOptions } from '../../src/core/run';
import { PROGRAMS, REPO } from './programs';
import { which } from './tools';

export const TEST_LABEL = 'dev.snag.test';
const CACHE = join(REPO, '.cache', 'docker');

export interface TestDockerEngine {
  kind: 'docker' | 'podman';
  /** Where the tests (and Snag, through process.env) talk to: DOCKER_HOST, or podman's storage. */
  dockerHost: string;
  /** True when this file started the daemon (and will stop it). */
  isPrivate: boolean;
  /** The local test image (Python, no ps, no shell, no /tmp). */
  image: string;
  /** The image's interpreter, as the container sees it. */
  python: string;
  /** Runs the engine's CLI (`docker -H …` / `podman`) and returns its stdout. */
  cli(args: string[], opts?: RunOptions): Promise<string>;
  stop(): Promise<void>;
}

export type EngineOrReason = TestDockerEngine | { unavailable: string };

/** Use in each test: the engine, or fail in CI / skip elsewhere with the reason. */
export function requireDocker(t: TestContext, e: EngineOrReason | undefined): TestDockerEngine | undefined {
  if (e && !('unavailable' in e)) return e;
  const msg = e?.unavailable ?? 'the Docker engine did not start';
  if (process.env.CI === 'true') throw new Error(msg);
  t.skip(msg);
  return undefined;
}

async function answers(host: string | undefined): Promise<boolean> {
  try {
    await run(['docker', ...(host ? ['-H', host] : []), 'version', '--format', '{{.Server.Version}}'], { timeoutMs: 10_000 });
    return true;
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(what: string, ms: number, check: () => Promise<boolean> | boolean, detail = () => ''): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what} within ${ms / 1000} s. ${detail()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const privateDaemons = new Set<number>();
process.on('exit', () => {
  for (const pid of privateDaemons) if (alive(pid)) process.kill(pid, 'SIGTERM');
});

/** Starts (or finds) the engine and makes sure the test image is there. Never throws: says why not. */
export async function startDockerEngine(): Promise<EngineOrReason> {
  if (!which('docker')) return { unavailable: 'docker is not installed (run bash scripts/setup.sh docker)' };
  if (await answers(process.env.DOCKER_HOST)) return withImage(process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock', false, async () => {});
  if (!which('dockerd', ['/usr/sbin', '/usr/bin']))
    return { unavailable: 'no Docker engine runs and dockerd is not installed (run bash scripts/setup.sh docker)' };
  // Short path: the socket's path must fit in sun_path (108 bytes).
  const dir = await mkdtemp(join(tmpdir(), 'snag-dockerd-'));
  const host = `unix://${dir}/docker.sock`;
  const log = openSync(join(dir, 'dockerd.log'), 'a');
  const dockerd = which('dockerd', ['/usr/sbin', '/usr/bin'])!;
  const child = spawn(
    dockerd,
    [
      '--data-root',
      join(dir, 'root'),
      '--exec-root',
      join(dir, 'exec'),
      '--pidfile',
      join(dir, 'dockerd.pid'),
      '-H',
      host,
      '--iptables=false',
      '--ip-forward=false',
      '--ip-masq=false',
      '--bridge=none',
      '--log-level=warn',
    ],
    { detached: true, stdio: ['ignore', log, log] },
  );
  closeSync(log);
  child.unref();
  const pid = child.pid!;
  privateDaemons.add(pid);
  const stop = async () => {
    // Containers first: a daemon stopping a Python PID 1 waits its full grace period.
    try {
      const ids = (await run(['docker', '-H', host, 'ps', '-aq'], { timeoutMs: 15_000 })).stdout.split('\n').filter(Boolean);
      if (ids.length) await run(['docker', '-H', host, 'rm', '-f', ...ids], { timeoutMs: 60_000 });
    } catch {
      /* the daemon may be gone already */
    }
    if (alive(pid)) process.kill(pid, 'SIGTERM');
    try {
      await waitFor('dockerd did not stop', 30_000, () => !alive(pid));
    } catch {
      process.kill(pid, 'SIGKILL');
    }
    privateDaemons.delete(pid);
    const containerdPid = Number(readOr(join(dir, 'exec', 'containerd', 'containerd.pid')));
    if (containerdPid && alive(containerdPid)) process.kill(containerdPid, 'SIGKILL');
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  };
  try {
    await waitFor(
      'the private dockerd did not answer',
      60_000,
      () => !alive(pid) || answers(host),
      () => readOr(join(dir, 'dockerd.log')).slice(-2000),
    );
    if (!alive(pid)) throw new Error(`dockerd exited: ${readOr(join(dir, 'dockerd.log')).slice(-2000)}`);
  } catch (err) {
    await stop();
    return { unavailable: `could not start a private dockerd: ${(err as Error).message}` };
  }
  return withImage(host, true, stop);
}

function readOr(p: string): string {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return '';
  }
}

async function withImage(host: string, isPrivate: boolean, stop: () => Promise<void>): Promise<EngineOrReason> {
  process.env.DOCKER_HOST = host; // Snag's own docker calls go where the tests' go
  const cli = async (args: string[], opts: RunOptions = {}) => (await run(['docker', '-H', host, ...args], { timeoutMs: 120_000, ...opts })).stdout;
  try {
    const { image, python } = await ensureTestImage(cli);
    return { kind: 'docker', dockerHost: host, isPrivate, image, python, cli, stop };
  } catch (err) {
    await stop();
    return { unavailable: `could not build the test image: ${(err as Error).message}` };
  }
}

/** The host's Debian interpreter (`/usr/bin/python3.11`): it has no pyenv paths baked in. */
function hostPython(): string {
  const cands = readdirSync('/usr/bin')
    .filter((f) => /^python3\.\d+$/.test(f))
    .sort();
  if (cands.length === 0) throw new Error('no /usr/bin/python3.X to put into the test image (apt-get install python3)');
  return join('/usr/bin', cands[cands.length - 1]!);
}

const RECIPE = 'r1';

/** Builds the test image with the engine's CLI (docker or podman), or loads the saved one. */
export async function ensureTestImage(docker: (args: string[], opts?: RunOptions) => Promise<string>): Promise<{ image: string; python: string }> {
  const python = hostPython();
  const version = basename(python).slice('python'.length);
  const image = `snag-test-python:${version}-${RECIPE}`;
  const have = await docker(['image', 'inspect', '--format', '{{.Id}}', image]).then(
    () => true,
    () => false,
  );
  if (have) return { image, python };
  const tar = join(CACHE, `snag-test-python-${version}-${RECIPE}.tar`);
  if (existsSync(tar)) {
    await docker(['load', '-q', '-i', tar]);
    return { image, python };
  }
  const build = await mkdtemp(join(tmpdir(), 'snag-image-'));
  try {
    const rootfs = join(build, 'rootfs');
    mkdirSync(rootfs);
    const stdlib = `/usr/lib/python${version}`;
    const dynload = join(stdlib, 'lib-dynload');
    const libs = new Set<string>();
    for (const bin of [
      python,
      ...readdirSync(dynload)
        .filter((f) => f.endsWith('.so'))
        .map((f) => join(dynload, f)),
    ]) {
      const { stdout } = await run(['ldd', bin], { timeoutMs: 30_000, okExitCodes: [0, 1] });
      for (const m of stdout.matchAll(/(\/\S+\.so[\w.]*)/g)) libs.add(m[1]!);
    }
    await run(['cp', '-L', '--parents', python, ...libs, rootfs], { timeoutMs: 60_000 });
    mkdirSync(join(rootfs, 'usr', 'lib'), { recursive: true });
    await run(['cp', '-a', stdlib, join(rootfs, 'usr', 'lib')], { timeoutMs: 120_000 });
    for (const junk of ['test', 'idlelib', 'tkinter', 'ensurepip', 'lib2to3']) await rm(join(rootfs, stdlib, junk), { recursive: true, force: true });
    symlinkSync(basename(python), join(rootfs, 'usr', 'bin', 'python3'));
    writeFileSync(join(build, 'Dockerfile'), 'FROM scratch\nCOPY rootfs/ /\nENV PATH=/usr/local/bin:/usr/bin:/bin\n');
    await docker(['build', '-q', '-t', image, build], { env: { DOCKER_BUILDKIT: '0' }, timeoutMs: 300_000 });
  } finally {
    await rm(build, { recursive: true, force: true });
  }
  mkdirSync(CACHE, { recursive: true });
  const partial = `${tar}.${process.pid}.partial`;
  await docker(['save', '-o', partial, image], { timeoutMs: 300_000 });
  renameSync(partial, tar); // atomic: a concurrent test run sees the whole file or none
  return { image, python };
}

export interface TestContainer {
  id: string;
  name: string;
  /** Host PID of the container's first process. */
  hostPid: number;
  remove(): Promise<void>;
}

let counter = 0;

/**
 * Runs test/fixtures/programs/<program> in a container of the test image, with the programs folder
 * bind-mounted read-only at /app, and waits for its "ready" line. Removed by the caller (t.after).
 */
export async function runProgramContainer(
  e: TestDockerEngine,
  program: string,
  opts: { args?: string[]; runArgs?: string[]; command?: string[] } = {},
): Promise<TestContainer> {
  const name = `snag-test-${process.pid}-${++counter}`;
  const command = opts.command ?? [e.python, '-u', `/app/${program}`, ...(opts.args ?? [])];
  const id = (
    await e.cli([
      'run',
      '-d',
      '--name',
      name,
      '--label',
      TEST_LABEL,
      '--network',
      'none',
      '-v',
      `${PROGRAMS}:/app:ro`,
      ...(opts.runArgs ?? []),
      e.image,
      ...command,
    ])
  ).trim();
  const remove = async () => {
    await e.cli(['rm', '-f', id], { timeoutMs: 60_000 }).catch(() => undefined);
  };
  try {
    let logs = '';
    await waitFor(
      `${program} in a container did not print "ready"`,
      30_000,
      async () => {
        logs = await e.cli(['logs', id], { timeoutMs: 10_000 }).catch(() => logs);
        return /^ready\b/m.test(logs);
      },
      () => logs,
    );
    const hostPid = Number((await e.cli(['inspect', '--format', '{{.State.Pid}}', id])).trim());
    return { id, name, hostPid, remove };
  } catch (err) {
    await remove();
    throw err;
  }
}

/** Containers and sidecars Snag or the tests left behind (by label). */
export async function leftovers(e: TestDockerEngine, label: string): Promise<string[]> {
  return (await e.cli(['ps', '-aq', '--filter', `label=${label}`])).split('\n').filter(Boolean);
}
