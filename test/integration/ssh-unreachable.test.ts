// Hosts that cannot be reached, and connections that die: a port nothing listens on, a server
// that accepts and never says a word, a caller who cancels, and a connection dropped in the
// middle of a dump (the ControlMaster killed, or the server's session process killed). Each must
// end promptly with one clear SnagError, mark the host unreachable, and never stop the target.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PySpyBackend } from '../../src/core/backends/pyspy';
import { dumpProcess } from '../../src/core/pipeline/dumpProcess';
import { SnagError } from '../../src/core/errors';
import { RunError } from '../../src/core/run';
import { SourceMapper } from '../../src/core/mapping/sourceMap';
import { SshTarget } from '../../src/core/targets/ssh';
import type { SshState } from '../../src/core/targets/sshConnection';
import { PROGRAMS, processState } from '../support/programs';
import { absolutePython, freePort, sessionPids, startRemoteProgram, startSshd } from '../support/sshd';
import { requireTool } from '../support/tools';

/** A client config with one Host that points at 127.0.0.1:port, trusting nothing (no key is needed to fail). */
function deadHostConfig(dir: string, port: number): string {
  const file = join(dir, `ssh_config_${port}`);
  writeFileSync(
    file,
    ['Host dead', '  HostName 127.0.0.1', `  Port ${port}`, `  UserKnownHostsFile ${join(dir, 'known_hosts')}`, '  BatchMode yes', ''].join('\n'),
  );
  return file;
}

const noPySpy = () => Promise.reject(new Error('not needed'));

test('ssh: unreachable hosts end cleanly', { timeout: 120_000 }, async (t) => {
  requireTool(t, 'ssh', 'bash scripts/setup.sh ssh');
  const dir = mkdtempSync(join(tmpdir(), 'snag-ssh-dead-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));

  await t.test('a port nothing listens on: refused at once, state unreachable with ssh’s error', async () => {
    const target = new SshTarget({ host: 'dead', configFile: deadHostConfig(dir, await freePort()), controlDir: join(dir, 'ctl') });
    const states: SshState['kind'][] = [];
    target.runner.onDidChangeState((s) => states.push(s.kind));
    await assert.rejects(target.listProcesses(), (e) => SnagError.is(e, 'unreachable') && /Connection refused/.test(e.message));
    assert.deepEqual(states, ['connecting', 'unreachable']);
    const s = target.runner.state;
    assert.equal(s.kind, 'unreachable');
    assert.match(s.kind === 'unreachable' ? s.error : '', /^Cannot reach dead: ssh: connect to host 127\.0\.0\.1 port \d+: Connection refused/);
  });

  await t.test('a server that accepts and never answers: Snag times out within its connect timeout and says so', async (t2) => {
    const sockets = new Set<Socket>();
    const silent = createServer((s) => sockets.add(s)); // accepts, never writes a byte
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    t2.after(() => {
      for (const s of sockets) s.destroy();
      silent.close();
    });
    const port = (silent.address() as { port: number }).port;
    const target = new SshTarget({ host: 'dead', configFile: deadHostConfig(dir, port), controlDir: join(dir, 'ctl'), connectTimeoutSeconds: 2 });
    const started = Date.now();
    await assert.rejects(target.listProcesses(), (e) => SnagError.is(e, 'unreachable') && /timed out/.test(e.message));
    const took = Date.now() - started;
    // ConnectTimeout 2 s (ssh's own) plus Snag's 10 s backstop is the most it may take.
    assert.ok(took < 12_000, `took ${took} ms`);
    assert.ok(sockets.size >= 1, 'ssh did reach the silent server');
    assert.equal(target.runner.state.kind, 'unreachable');
  });

  await t.test('a caller that cancels while a host hangs gets control back at once', async (t2) => {
    const sockets = new Set<Socket>();
    const silent = createServer((s) => sockets.add(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    t2.after(() => {
      for (const s of sockets) s.destroy();
      silent.close();
    });
    const port = (silent.address() as { port: number }).port;
    const target = new SshTarget({ host: 'dead', configFile: deadHostConfig(dir, port), controlDir: join(dir, 'ctl'), connectTimeoutSeconds: 30 });
    const controller = new AbortController();
    const listing = target.listProcesses({ signal: controller.signal });
    // A second caller waits for the same connection attempt instead of starting another.
    const second = target.listProcesses();
    setTimeout(() => controller.abort(), 300);
    await assert.rejects(listing, (e) => SnagError.is(e, 'cancelled'));
    assert.equal(target.runner.state.kind, 'connecting', 'the shared attempt goes on for the other caller');
    for (const s of sockets) s.destroy(); // now the server hangs up: the waiting caller learns it
    await assert.rejects(second, (e) => SnagError.is(e, 'unreachable'));
  });
});

test('ssh: a connection dropped during a dump', { timeout: 180_000 }, async (t) => {
  const pyspy = requireTool(t, 'py-spy', 'bash scripts/setup.sh core');
  if (!pyspy) return;
  const sshd = await startSshd(t);
  if (!sshd) return;
  // py-spy behind a pause, so the connection can be cut while the dump is in flight. The marker
  // file says the remote side has started.
  const slow = join(sshd.dir, 'slow-py-spy');
  const marker = join(sshd.dir, 'dump-started');
  writeFileSync(slow, `#!/bin/sh\ntouch '${marker}'\nsleep 3\nexec '${pyspy}' "$@"\n`);
  chmodSync(slow, 0o755);
  const target = new SshTarget({ host: sshd.host, configFile: sshd.clientConfig, controlDir: join(sshd.dir, 'ctl'), pyspyPath: slow });
  t.after(() => target.runner.close());
  const program = await startRemoteProgram(target.runner, absolutePython(), join(PROGRAMS, 'socket_recv.py'), join(sshd.dir, 'program.log'));
  t.after(program.stop);

  const cut = async (how: () => Promise<void> | void) => {
    rmSync(marker, { force: true });
    const states: SshState['kind'][] = [];
    const off = target.runner.onDidChangeState((s) => states.push(s.kind));
    const dumping = dumpProcess({
      target,
      pid: program.pid,
      backend: new PySpyBackend(noPySpy),
      mapper: new SourceMapper({ workspaceRoots: [] }),
      timeoutMs: 60_000,
    });
    const deadline = Date.now() + 30_000;
    while (!existsSync(marker) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(existsSync(marker), 'the remote py-spy started');
    await how();
    await assert.rejects(dumping, (e) => SnagError.is(e, 'unreachable') && /connection to snag-test was lost/i.test(e.message));
    off();
    assert.deepEqual(states, ['unreachable']);
    // The remote py-spy still runs to its end (its output goes nowhere); the target never stays stopped.
    await new Promise((r) => setTimeout(r, 4000));
    assert.notEqual(processState(program.pid), 'T');
    assert.notEqual(processState(program.pid), undefined);
    // The next request reconnects.
    const procs = await target.listProcesses();
    assert.ok(procs.some((p) => p.pid === program.pid));
    assert.equal(target.runner.state.kind, 'connected');
  };

  await t.test('the ControlMaster is killed', () =>
    cut(async () => {
      const master = await target.runner.masterPid();
      assert.ok(master, 'a master runs');
      process.kill(master, 'SIGKILL');
    }),
  );

  await t.test("the server's session process is killed", () =>
    cut(() => {
      const sessions = sessionPids(sshd);
      assert.ok(sessions.length > 0, 'sshd serves the connection');
      for (const pid of sessions) process.kill(pid, 'SIGKILL');
    }),
  );
});

test('ssh: a remote command that never ends', { timeout: 120_000 }, async (t) => {
  const sshd = await startSshd(t);
  if (!sshd) return;
  const target = new SshTarget({ host: sshd.host, configFile: sshd.clientConfig, controlDir: join(sshd.dir, 'ctl') });
  t.after(() => target.runner.close());
  await target.runner.connect();

  // The ControlMaster holds a multiplexed client's output pipes until the remote command ends;
  // Snag's timeout and Cancel must not wait for that.
  await t.test('the caller’s timeout ends the wait at once', async () => {
    const started = Date.now();
    await assert.rejects(target.runner.run(['sleep', '60'], { timeoutMs: 1500 }), (e) => RunError.is(e, 'timed-out'));
    assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
  });

  await t.test('Cancel ends the wait at once', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 500);
    const started = Date.now();
    await assert.rejects(target.runner.run(['sleep', '60'], { signal: controller.signal }), (e) => RunError.is(e, 'cancelled'));
    assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
  });

  await t.test('the connection stays usable', async () => {
    assert.equal((await target.runner.run(['echo', 'still here'])).stdout, 'still here\n');
    assert.equal(target.runner.state.kind, 'connected');
  });
});

test('ssh: a host that logs in but whose shell never runs the command', { timeout: 120_000 }, async (t) => {
  // ForceCommand stands for a login shell whose start-up files hang (a stale lock, a prompt).
  const sshd = await startSshd(t, { extraConfig: ['ForceCommand sleep 40'] });
  if (!sshd) return;
  const target = new SshTarget({ host: sshd.host, configFile: sshd.clientConfig, controlDir: join(sshd.dir, 'ctl'), connectTimeoutSeconds: 2 });
  t.after(() => target.runner.close());
  const started = Date.now();
  await assert.rejects(
    target.listProcesses(),
    (e) => SnagError.is(e, 'unreachable') && /accepted the login, but its shell did not run a command within \d+ s/.test(e.message),
  );
  assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
  assert.equal(target.runner.state.kind, 'unreachable');
});
