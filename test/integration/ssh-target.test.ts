// An SSH host against a real sshd on 127.0.0.1: listing, dumps with real py-spy (configured on the
// host, or copied there and removed), source mapping by a per-host rule, by suffix search, and
// read-only remote documents; the `snag ps/dump --ssh` CLI. The "remote" host is this machine
// reached through ssh, so the stuck program is started over ssh, in a folder that stands for the
// server's deployment, with a separate copy standing for the user's workspace.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { PySpyBackend } from '../../src/core/backends/pyspy';
import { dumpProcess } from '../../src/core/pipeline/dumpProcess';
import { SnagError } from '../../src/core/errors';
import type { Frame, StackDump } from '../../src/core/model';
import { SourceMapper } from '../../src/core/mapping/sourceMap';
import { FIND_PYSPY_SCRIPT } from '../../src/core/targets/remotePySpy';
import { SshTarget, type SshTargetOptions } from '../../src/core/targets/ssh';
import { main } from '../../src/cli/main';
import { hangLine, PROGRAMS, processState, startProgram } from '../support/programs';
import { absolutePython, startRemoteProgram, startSshd } from '../support/sshd';
import { requireTool } from '../support/tools';

const PROGRAM = 'socket_recv.py';
const HANG = hangLine(PROGRAM, 'recv');

function hangFrame(d: StackDump): Frame | undefined {
  return d.threads.find((t) => t.name === 'MainThread')?.frames.find((f) => f.function === 'fetch_reply');
}

function noLocalPySpy(): Promise<string> {
  return Promise.reject(new Error('this test must not copy py-spy'));
}

test('ssh target against a real sshd', { timeout: 300_000 }, async (t) => {
  const pyspy = requireTool(t, 'py-spy', 'bash scripts/setup.sh core');
  if (!pyspy) return;
  const sshd = await startSshd(t);
  if (!sshd) return;
  const python = absolutePython();

  // The server's deployment (/srv/app/... on a real host) and the user's workspace copy of it.
  const base = mkdtempSync(join(tmpdir(), 'snag-ssh-target-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const deployed = join(base, 'srv', 'app');
  const workspace = join(base, 'workspace');
  mkdirSync(deployed, { recursive: true });
  mkdirSync(join(workspace, 'service'), { recursive: true });
  mkdirSync(join(base, 'empty'));
  copyFileSync(join(PROGRAMS, PROGRAM), join(deployed, PROGRAM));
  copyFileSync(join(PROGRAMS, PROGRAM), join(workspace, 'service', PROGRAM));

  const make = (o: Partial<SshTargetOptions> = {}) => {
    const target = new SshTarget({ host: sshd.host, configFile: sshd.clientConfig, controlDir: join(sshd.dir, 'ctl'), localPySpy: noLocalPySpy, ...o });
    t.after(async () => {
      await target.dispose();
      await target.runner.close();
    });
    return target;
  };
  const host = make({ pyspyPath: pyspy, pathMappings: [{ remoteRoot: deployed, localRoot: join(workspace, 'service') }] });
  const program = await startRemoteProgram(host.runner, python, join(deployed, PROGRAM), join(base, 'program.log'));
  t.after(program.stop);

  await t.test('lists the remote Python process, recognised from its executable', async () => {
    const procs = await host.listProcesses();
    const p = procs.find((x) => x.pid === program.pid);
    assert.ok(p, `pid ${program.pid} not in ${procs.map((x) => `${x.pid} ${x.command}`).join('; ')}`);
    assert.equal(p.isPython, true);
    assert.match(p.pythonReason ?? '', /^executable \/.*python/);
    assert.equal(p.name, PROGRAM);
    assert.ok(
      procs.every((x) => x.isPython),
      'only Python processes without --all',
    );
    const all = await host.listProcesses({ all: true });
    assert.ok(
      all.some((x) => !x.isPython && /sshd/.test(x.command)),
      'the sshd session shows with all: true',
    );
    assert.ok(!all.some((x) => x.command.startsWith('ps -e')), "the listing's own ps is left out");
    assert.equal(host.runner.state.kind, 'connected');
    assert.match(host.runner.state.kind === 'connected' ? host.runner.state.platform : '', /^Linux \S+$/);
  });

  await t.test('dumps it with py-spy on the host and maps frames by the per-host rule', async () => {
    const mapper = new SourceMapper({ workspaceRoots: [workspace] });
    const d = await dumpProcess({ target: host, pid: program.pid, backend: new PySpyBackend(noLocalPySpy), mapper });
    const f = hangFrame(d);
    assert.ok(f, JSON.stringify(d.threads.map((x) => x.frames.map((y) => y.function))));
    assert.equal(f.file, join(deployed, PROGRAM));
    assert.equal(f.line, HANG);
    assert.equal(f.localFile, join(workspace, 'service', PROGRAM));
    assert.equal(f.mapping?.method, 'rule');
    assert.equal(f.isUserCode, true);
    assert.equal(d.target?.kind, 'ssh');
    assert.notEqual(processState(program.pid), 'T', 'the process runs on after the dump');
  });

  await t.test('without a rule, finds the workspace copy by suffix (the remote path is not used even though it exists here)', async () => {
    const plain = make({ pyspyPath: pyspy });
    const d = await dumpProcess({
      target: plain,
      pid: program.pid,
      backend: new PySpyBackend(noLocalPySpy),
      mapper: new SourceMapper({ workspaceRoots: [workspace] }),
    });
    const f = hangFrame(d)!;
    assert.equal(f.localFile, join(workspace, 'service', PROGRAM));
    assert.equal(f.mapping?.method, 'suffix');
  });

  await t.test('frames without a local copy are marked remote and their files are read over the connection', async () => {
    const plain = make({ pyspyPath: pyspy });
    const d = await dumpProcess({
      target: plain,
      pid: program.pid,
      backend: new PySpyBackend(noLocalPySpy),
      mapper: new SourceMapper({ workspaceRoots: [join(base, 'empty')] }),
    });
    const f = hangFrame(d)!;
    assert.equal(f.localFile, undefined);
    assert.equal(f.mapping?.method, 'remote');
    assert.match(f.mapping?.reason ?? '', new RegExp(`opens read-only from ${sshd.host}`));
    assert.equal(f.isUserCode, true);
    const text = await plain.readFile(f.file);
    assert.match(text.split('\n')[HANG - 1]!, /SNAG-HANG: recv/);
    // The finding rules read the hanging line on the host: `sock.recv(…)` is a socket read.
    assert.ok(
      d.findings.some((x) => x.kind === 'socket-wait' && x.threadId === d.threads.find((t) => t.name === 'MainThread')?.id),
      JSON.stringify(d.findings),
    );
    // Library frames (threading.py in the silent server's thread) open remotely too.
    const lib = d.threads.flatMap((x) => x.frames).find((x) => x.origin === 'stdlib');
    assert.equal(lib?.mapping?.method, 'remote');
    assert.equal(lib?.isUserCode, false);
    await assert.rejects(plain.readFile(join(base, 'no-such-file.py')), (e) => SnagError.is(e, 'tool-failed') && /No such file/.test(e.message));
    await assert.rejects(plain.readFile('relative.py'), (e) => SnagError.is(e, 'bad-input'));
  });

  await t.test('a thread blocked writing to a pipe on the host is read without pausing, in the same round trip', async () => {
    const writer = await startProgram('pipe_writer.py', ['4']);
    t.after(() => writer.stop());
    const child = Number(/child=(\d+)/.exec(writer.output())![1]);
    await new Promise((r) => setTimeout(r, 300));
    const d = await dumpProcess({
      target: make({ pyspyPath: pyspy }),
      pid: child,
      backend: new PySpyBackend(noLocalPySpy),
      mapper: new SourceMapper({ workspaceRoots: [workspace] }),
    });
    assert.ok(
      d.notes?.some((n) => /Read without pausing the process: thread \d+ is blocked writing to a pipe/.test(n)),
      JSON.stringify(d.notes),
    );
    const deadline = Date.now() + 20_000;
    while (!/read \d+ bytes/.test(writer.output())) {
      assert.ok(Date.now() < deadline, writer.output());
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(writer.output(), /read 1000000 bytes/, 'nothing the child wrote was lost');
  });

  await t.test('no py-spy on the host: a clear error that offers the copy', async () => {
    const bare = make({ allowCopyPySpy: false });
    await assert.rejects(
      dumpProcess({ target: bare, pid: program.pid, backend: new PySpyBackend(noLocalPySpy), mapper: new SourceMapper({ workspaceRoots: [workspace] }) }),
      (e) => SnagError.is(e, 'tool-not-found') && e.fixes.includes('copy-pyspy') && /not found on snag-test/.test(e.message),
    );
  });

  await t.test('copies this machine’s py-spy to a private temp folder on the host, dumps, and removes it', async () => {
    let asked = '';
    const copying = make({
      localPySpy: async () => pyspy,
      allowCopyPySpy: async (platform) => {
        asked = platform;
        return true;
      },
    });
    const d = await dumpProcess({
      target: copying,
      pid: program.pid,
      backend: new PySpyBackend(noLocalPySpy),
      mapper: new SourceMapper({ workspaceRoots: [workspace] }),
    });
    assert.equal(hangFrame(d)?.line, HANG);
    assert.match(asked, /^Linux /);
    const dir = copying.pyspy.copyDir!;
    assert.match(dir, /\/snag-pyspy\.\w+$/);
    const { stdout } = await copying.runner.run(['stat', '-c', '%a %U', dir]);
    assert.match(stdout.trim(), /^700 /, 'the folder is private');
    // A second dump reuses the copy.
    await dumpProcess({
      target: copying,
      pid: program.pid,
      backend: new PySpyBackend(noLocalPySpy),
      mapper: new SourceMapper({ workspaceRoots: [workspace] }),
    });
    assert.equal(copying.pyspy.copyDir, dir);
    await copying.dispose();
    assert.equal(copying.pyspy.copyDir, undefined);
    await assert.rejects(copying.runner.run(['test', '-e', dir]), 'the copy is gone');
  });

  await t.test("finds py-spy on the host's PATH", async () => {
    const { stdout } = await host.runner.run(['env', `PATH=${dirname(pyspy)}:/usr/bin:/bin`, 'sh', '-c', FIND_PYSPY_SCRIPT]);
    assert.equal(stdout.trim(), join(dirname(pyspy), 'py-spy'));
  });

  await t.test('a configured py-spy path that does not exist there is reported as such', async () => {
    const wrong = make({ pyspyPath: '/nowhere/py-spy' });
    await assert.rejects(wrong.locatePySpy(), (e) => SnagError.is(e, 'tool-not-found') && /\/nowhere\/py-spy/.test(e.message));
  });

  await t.test('snag ps --ssh and snag dump --ssh', async () => {
    const cli = async (args: string[]) => {
      let out = '';
      let err = '';
      const code = await main(args, { out: (s) => (out += s), err: (s) => (err += s), isTTY: false });
      return { code, out, err };
    };
    const ps = await cli(['ps', '--ssh', sshd.host, '--ssh-config', sshd.clientConfig, '--json']);
    assert.equal(ps.code, 0, ps.err);
    assert.ok((JSON.parse(ps.out) as { pid: number }[]).some((p) => p.pid === program.pid));
    const dump = await cli([
      'dump',
      '--ssh',
      sshd.host,
      '--ssh-config',
      sshd.clientConfig,
      '--remote-pyspy',
      pyspy,
      '--root',
      workspace,
      '--map',
      `${deployed}=${join(workspace, 'service')}`,
      '--json',
      String(program.pid),
    ]);
    assert.equal(dump.code, 0, dump.err);
    const d = JSON.parse(dump.out) as StackDump;
    assert.equal(hangFrame(d)?.localFile, join(workspace, 'service', PROGRAM));
    assert.match(d.pythonVersion ?? '', /^3\.\d+$/);
    const text = await cli([
      'dump',
      '--ssh',
      sshd.host,
      '--ssh-config',
      sshd.clientConfig,
      '--remote-pyspy',
      pyspy,
      '--root',
      join(base, 'empty'),
      String(program.pid),
    ]);
    assert.equal(text.code, 0, text.err);
    assert.match(text.out, new RegExp(`fetch_reply.*${PROGRAM}:${HANG}`));
    const none = await cli(['dump', '--ssh', sshd.host, '--ssh-config', sshd.clientConfig, String(program.pid)]);
    assert.equal(none.code, 1);
    assert.match(none.err, /^snag: py-spy was not found on snag-test.*copy/);
  });
});
