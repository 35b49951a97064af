// "Save a Core and Let It Go" on the other targets: a process on an ssh host (a real sshd on
// 127.0.0.1: gcore runs there, the core is copied back through the connection with progress, the
// far copy removed; a large core asked for first) and one in a container (a real engine: gcore on
// the host by the host PID, so the image needs no gdb). Each process keeps running, and each core
// opens with gdb to the deadlock's frames and finding, the frames mapped to the workspace.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { captureCore, type CoreStep } from '../../src/core/coredump/captureCore';
import { dumpCore } from '../../src/core/coredump/readCore';
import { SnagError } from '../../src/core/errors';
import { SourceMapper } from '../../src/core/mapping/sourceMap';
import type { StackDump } from '../../src/core/model';
import { ContainerEngine } from '../../src/core/targets/containerEngine';
import { ContainerTarget } from '../../src/core/targets/docker';
import { LocalTarget } from '../../src/core/targets/local';
import { SshTarget } from '../../src/core/targets/ssh';
import { requireDocker, runProgramContainer, startDockerEngine } from '../support/dockerEngine';
import { hangLine, PROGRAMS, processState } from '../support/programs';
import { absolutePython, startRemoteProgram, startSshd } from '../support/sshd';
import { requireTool } from '../support/tools';

const PROGRAM = 'deadlock.py';

/** The folders captureCore makes for a core on a far side (the "far side" here is this machine). */
function farFolders(): string[] {
  return readdirSync('/tmp').filter((f) => f.startsWith('snag-core.'));
}

function assertDeadlock(d: StackDump, file: string): void {
  for (const [func, tag] of [
    ['transfer_a_to_b', 'a-waits-b'],
    ['transfer_b_to_a', 'b-waits-a'],
  ] as const) {
    const frame = d.threads.flatMap((x) => x.frames).find((f) => f.function === func);
    assert.ok(frame, `${func} is read from the core: ${JSON.stringify(d.threads.map((x) => x.frames.map((f) => f.function)))}`);
    assert.equal(frame.line, hangLine(PROGRAM, tag));
    assert.equal(frame.localFile, file);
  }
  assert.ok(
    d.findings.some((f) => f.kind === 'deadlock'),
    JSON.stringify(d.findings.map((f) => f.title)),
  );
}

test('a core of a process on an ssh host: gcore there, copied back, removed there', { timeout: 300_000 }, async (t) => {
  const gcore = requireTool(t, 'gcore', 'bash scripts/setup.sh core');
  const gdb = requireTool(t, 'gdb', 'bash scripts/setup.sh core');
  if (!gcore || !gdb) return;
  const sshd = await startSshd(t);
  if (!sshd) return;
  const dir = mkdtempSync(join(tmpdir(), 'snag-core-ssh-'));
  const target = new SshTarget({ host: sshd.host, configFile: sshd.clientConfig, controlDir: join(dir, 'ctl') });
  const program = await startRemoteProgram(target.runner, absolutePython(), join(PROGRAMS, PROGRAM), join(dir, 'program.log'));
  t.after(async () => {
    program.stop();
    await target.runner.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const farBefore = farFolders();

  await t.test('a large core is asked for first; refused, nothing is left on either side', async () => {
    let asked: { bytes: number; where: string } | undefined;
    await assert.rejects(
      captureCore({
        target,
        pid: program.pid,
        dir,
        gcore,
        largeBytes: 1,
        confirmLargeCopy: async (bytes, where) => {
          asked = { bytes, where };
          return false;
        },
      }),
      (err: unknown) => SnagError.is(err, 'cancelled') && /was not copied from snag-test/.test(err.message),
    );
    assert.ok(asked && asked.bytes > 1024 * 1024, `asked about ${JSON.stringify(asked)}`);
    assert.equal(asked.where, sshd.host);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.startsWith('snag-core-')),
      [],
    );
    assert.deepEqual(farFolders(), farBefore, 'the core written on the host is removed there');
    assert.ok(processState(program.pid) && processState(program.pid) !== 'T', 'the process was let go');
  });

  await t.test('copied back with progress, stored with its metadata, opened with gdb', async () => {
    const steps: { step: CoreStep; copied?: number; total?: number }[] = [];
    const meta = await captureCore({ target, pid: program.pid, dir, gcore, onProgress: (step, copied, total) => steps.push({ step, copied, total }) });
    assert.ok(processState(program.pid) && processState(program.pid) !== 'T', 'the process keeps running');
    assert.equal(meta.takenOn, sshd.host);
    assert.equal(meta.target.kind, 'ssh');
    assert.equal(meta.pid, program.pid);
    assert.equal(meta.threads, 3);
    assert.equal(meta.interpreter, realpathSync(absolutePython()), 'the interpreter as the host names it');
    assert.ok(meta.cmdline.some((a) => a.endsWith(PROGRAM)));
    assert.equal(meta.cwd?.startsWith('/'), true);
    assert.ok(meta.environmentNames?.includes('PATH'));
    assert.match(meta.pythonVersion ?? '', /^3\.\d+/);
    assert.equal(steps[0]?.step, 'writing');
    const last = steps[steps.length - 1]!;
    assert.equal(last.step, 'copying');
    assert.equal(last.copied, meta.bytes);
    assert.equal(last.total, meta.bytes);
    assert.ok(existsSync(meta.core) && existsSync(`${meta.core}.json`));
    assert.deepEqual(farFolders(), farBefore, 'the core written on the host is removed there');

    const d = await dumpCore({ core: meta.core, gdb, mapper: new SourceMapper({ workspaceRoots: [PROGRAMS] }) });
    assert.equal(d.threads.length, 3);
    assertDeadlock(d, join(PROGRAMS, PROGRAM));
  });
});

test('a core of a process in a container: gcore on the host by the host PID', { timeout: 600_000 }, async (t) => {
  const gcore = requireTool(t, 'gcore', 'bash scripts/setup.sh core');
  const gdb = requireTool(t, 'gdb', 'bash scripts/setup.sh core');
  if (!gcore || !gdb) return;
  const e = requireDocker(t, await startDockerEngine());
  if (!e) return;
  const dir = mkdtempSync(join(tmpdir(), 'snag-core-docker-'));
  t.after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await e.stop();
  });
  const c = await runProgramContainer(e, PROGRAM);
  t.after(() => c.remove());
  const target = await ContainerTarget.open(new ContainerEngine('docker', new LocalTarget()), c.name);
  const py = (await target.listProcesses()).find((p) => p.name === PROGRAM);
  assert.ok(py, 'the program is listed in its container');
  assert.notEqual(py.pid, c.hostPid, 'the container has its own PID namespace');

  const meta = await captureCore({ target, pid: py.pid, dir, gcore });
  assert.ok(processState(c.hostPid) && processState(c.hostPid) !== 'T', 'the process keeps running');
  assert.equal(meta.pid, py.pid);
  assert.equal(meta.target.kind, 'docker');
  assert.match(meta.takenOn ?? '', new RegExp(`the host of container ${c.name}`));
  assert.equal(meta.how, `gcore on this machine, host PID ${c.hostPid}`);
  assert.equal(meta.interpreter, e.python, 'the interpreter as the container names it');
  assert.equal(meta.cwd, '/');
  assert.equal(meta.threads, 3);
  assert.ok(meta.core.endsWith(`.${py.pid}`), meta.core);
  assert.equal((await e.cli(['inspect', '--format', '{{.State.Running}}', c.id])).trim(), 'true');

  // The test image's interpreter is this machine's own build at the same path, so it opens as is.
  const d = await dumpCore({
    core: meta.core,
    gdb,
    mapper: new SourceMapper({ workspaceRoots: [PROGRAMS], mappings: [{ remoteRoot: '/app', localRoot: PROGRAMS }] }),
  });
  assert.equal(d.threads.length, 3, JSON.stringify(d.notes));
  assertDeadlock(d, join(PROGRAMS, PROGRAM));
});
