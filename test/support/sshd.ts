// A private, real sshd for tests: its own host and user keys, config, port on 127.0.0.1, pid file
// and authorized keys, all in a temp folder; plus a client ssh_config (-F) that trusts exactly that
// host key. Nothing of the machine's ssh setup is read or changed. Stopped by PID.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { requireTool } from './tools';

export const SSHD = '/usr/sbin/sshd';

export interface Sshd {
  /** The Host alias in `clientConfig` that reaches this sshd. */
  host: string;
  port: number;
  /** Client ssh_config to pass with -F. */
  clientConfig: string;
  /** The test's private folder (keys, configs, logs); removed by stop(). */
  dir: string;
  pid: number;
  /** Everything sshd logged so far (-e sends its log to stderr). */
  log(): string;
  stop(): void;
}

export interface SshdOptions {
  /** The Host alias in the client config (default `snag-test`). */
  host?: string;
  /** More sshd_config lines (e.g. a ForceCommand). */
  extraConfig?: string[];
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

function keygen(file: string): void {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'snag-test', '-f', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

/**
 * Starts sshd, or skips the test (fails under CI=true) when openssh-server is missing.
 * Registers stop() with t.after, so it is stopped even when the test fails.
 */
export async function startSshd(t: TestContext, opts: SshdOptions = {}): Promise<Sshd | undefined> {
  for (const tool of ['ssh', 'ssh-keygen']) if (!requireTool(t, tool, 'bash scripts/setup.sh ssh')) return undefined;
  if (!requireTool(t, 'sshd', 'bash scripts/setup.sh ssh', ['/usr/sbin'])) return undefined;
  const sshd = await launchSshd(opts);
  t.after(sshd.stop);
  return sshd;
}

/** Starts sshd (the caller stops it); for benchmarks and other non-test users. */
export async function launchSshd(opts: SshdOptions = {}): Promise<Sshd> {
  const dir = mkdtempSync(join(tmpdir(), 'snag-sshd-'));
  const host = opts.host ?? 'snag-test';
  keygen(join(dir, 'host_ed25519'));
  keygen(join(dir, 'user_ed25519'));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'user_ed25519.pub')));
  mkdirSync('/run/sshd', { recursive: true }); // sshd's privilege-separation directory
  const port = await freePort();
  const user = userInfo().username;
  const sshdConfig = join(dir, 'sshd_config');
  writeFileSync(
    sshdConfig,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_ed25519')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no', // keys live under /tmp
      'MaxSessions 64', // many multiplexed channels at once (the quoting fuzz test)
      'MaxStartups 64',
      'LogLevel VERBOSE',
      ...(opts.extraConfig ?? []),
      '',
    ].join('\n'),
  );
  const clientConfig = join(dir, 'ssh_config');
  writeFileSync(
    clientConfig,
    [
      `Host ${host}`,
      '  HostName 127.0.0.1',
      `  Port ${port}`,
      `  User ${user}`,
      `  IdentityFile ${join(dir, 'user_ed25519')}`,
      '  IdentitiesOnly yes',
      '  IdentityAgent none',
      `  UserKnownHostsFile ${join(dir, 'known_hosts')}`,
      '  GlobalKnownHostsFile /dev/null',
      '  StrictHostKeyChecking yes',
      '  BatchMode yes',
      '',
    ].join('\n'),
  );
  // Trust exactly the generated host key, as a user who verified it would have.
  const pub = readFileSync(join(dir, 'host_ed25519.pub'), 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${pub}\n`);

  const child = spawn(SSHD, ['-D', '-e', '-f', sshdConfig], { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  let log = '';
  child.stderr!.on('data', (b: Buffer) => (log += b.toString()));
  const stop = () => {
    running.delete(child);
    // sshd's per-connection processes outlive the listener: find them before it goes. Only sshd's
    // own: a login shell killed in the middle of its start-up files can leave their locks behind
    // (pyenv's rehash lock makes every later login wait 60 s); the shells end with their sessions.
    for (const pid of [...sessionPids({ pid: child.pid! }), child.pid!]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    child.stderr?.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  while (!(await tryConnect(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      stop();
      throw new Error(`sshd did not start (exit ${child.exitCode}): ${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { host, port, clientConfig, dir, pid: child.pid!, log: () => log, stop };
}

/** PIDs below `ppid` (children, grandchildren…): sshd forks a process or two per connection. */
export function childPids(ppid: number): number[] {
  const r = spawnSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  const pairs = r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number))
    .filter((p) => p.length === 2 && p[0]! > 0);
  const out: number[] = [];
  const walk = (parent: number) => {
    for (const [pid, pp] of pairs) {
      if (pp === parent) {
        out.push(pid!);
        walk(pid!);
      }
    }
  };
  walk(ppid);
  return out;
}

/** The test interpreter's real path: remote commands must not depend on the login shell's PATH. */
export function absolutePython(python = process.env.SNAG_TEST_PYTHON ?? 'python3'): string {
  const r = spawnSync(python, ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
  const path = r.stdout.trim();
  if (r.status !== 0 || !path.startsWith('/')) throw new Error(`cannot resolve ${python}: ${r.stderr}`);
  return path;
}

export interface RemoteProgram {
  pid: number;
  /** Kills it (the "remote" host is this machine, so by PID here, which also works after the sshd is gone). */
  stop(): void;
}

/**
 * Starts a fixture program on the host behind `runner` as a detached background job (nohup, all
 * three streams redirected, so ssh does not wait for it) and waits for its "ready" line.
 */
export async function startRemoteProgram(
  runner: { run(argv: readonly string[], opts?: { timeoutMs?: number }): Promise<{ stdout: string }> },
  python: string,
  script: string,
  log: string,
  args: string[] = [],
): Promise<RemoteProgram> {
  const { stdout } = await runner.run(['sh', '-c', 'log=$1; shift; nohup "$@" >"$log" 2>&1 </dev/null & echo $!', 'sh', log, python, '-u', script, ...args], {
    timeoutMs: 30_000,
  });
  const pid = Number(stdout.trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no PID from the remote start: ${stdout}`);
  const stop = () => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    const out = (await runner.run(['cat', log], { timeoutMs: 30_000 }).catch(() => ({ stdout: '' }))).stdout;
    if (/^ready\b/m.test(out)) return { pid, stop };
    if (Date.now() > deadline) {
      stop();
      throw new Error(`${script} did not print "ready" on the remote host: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The sshd processes serving this sshd's connections (killing them drops the connections). */
export function sessionPids(sshd: Pick<Sshd, 'pid'>): number[] {
  const below = new Set(childPids(sshd.pid));
  const r = spawnSync('ps', ['-e', '-o', 'pid=,args='], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => !!m && below.has(Number(m[1])) && m[2]!.startsWith('sshd:'))
    .map((m) => Number(m[1]));
}
