// Sampling works for every kind of target: a process on an ssh host (py-spy record run there
// through the multiplexed connection, frames mapped by the host's rule) and one in a container
// (repeated dumps through the container's way in, frames mapped by its bind mount).
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { GdbBackend, gdbLocator } from '../../src/core/backends/gdb';
import { PySpyBackend } from '../../src/core/backends/pyspy';
import { chooseSampleSource } from '../../src/core/sampling/chooseSource';
import { sampleProcess } from '../../src/core/sampling/sampleProcess';
import { SourceMapper } from '../../src/core/mapping/sourceMap';
import { ContainerEngine } from '../../src/core/targets/containerEngine';
import { ContainerTarget } from '../../src/core/targets/docker';
import { LocalTarget } from '../../src/core/targets/local';
import { SshTarget } from '../../src/core/targets/ssh';
import { requireDocker, runProgramContainer, startDockerEngine } from '../support/dockerEngine';
import { hangLine, PROGRAMS, processState } from '../support/programs';
import { absolutePython, startRemoteProgram, startSshd } from '../support/sshd';
import { requireTool } from '../support/tools';

const PROGRAM = 'busy_and_stuck.py';
const STUCK_LINE = hangLine(PROGRAM, 'stuck-recv');

test('sampling a process on an ssh host: py-spy record there, stuck thread found, frames mapped', { timeout: 180_000 }, async (t) => {
  const pyspy = requireTool(t, 'py-spy', 'bash scripts/setup.sh core');
  if (!pyspy) return;
  const sshd = await startSshd(t);
  if (!sshd) return;
  const base = mkdtempSync(join(tmpdir(), 'snag-ssh-sampling-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const deployed = join(base, 'srv', 'app');
  const workspace = join(base, 'workspace');
  mkdirSync(deployed, { recursive: true });
  mkdirSync(workspace);
  copyFileSync(join(PROGRAMS, PROGRAM), join(deployed, PROGRAM));
  copyFileSync(join(PROGRAMS, PROGRAM), join(workspace, PROGRAM));
  const host = new SshTarget({
    host: sshd.host,
    configFile: sshd.clientConfig,
    controlDir: join(sshd.dir, 'ctl'),
    pyspyPath: pyspy,
    pathMappings: [{ remoteRoot: deployed, localRoot: workspace }],
  });
  t.after(async () => {
    await host.dispose();
    await host.runner.close();
  });
  const program = await startRemoteProgram(host.runner, absolutePython(), join(deployed, PROGRAM), join(base, 'program.log'));
  t.after(program.stop);

  const pyspyBackend = new PySpyBackend(() => Promise.reject(new Error('the host has its own py-spy')));
  const source = chooseSampleSource(host, 'auto', pyspyBackend, new GdbBackend(gdbLocator()), { pid: program.pid, rateHz: 10 });
  assert.equal(source.method, 'py-spy record');
  const p = await sampleProcess({
    target: host,
    pid: program.pid,
    source,
    mapper: new SourceMapper({ workspaceRoots: [workspace] }),
    rateHz: 10,
    durationMs: 5000,
  });
  const reader = p.threads.find((x) => x.name === 'reader');
  assert.equal(reader?.status, 'stuck', JSON.stringify(p.threads));
  assert.equal(reader?.at?.line, STUCK_LINE);
  assert.equal(reader?.at?.localFile, join(workspace, PROGRAM), 'mapped by the host rule');
  assert.equal(p.threads.find((x) => x.name === 'MainThread')?.status, 'busy');
  assert.ok(p.lines.some((l) => l.function === 'checksum' && l.localFile === join(workspace, PROGRAM)));
  assert.notEqual(processState(program.pid), 'T');
  // The recording's file on the host is gone.
  const { stdout } = await host.runner.run(['sh', '-c', `ls /tmp | grep -c "^snag-record-${program.pid}-" || true`]);
  assert.equal(stdout.trim(), '0');
});

test('sampling a process in a container: repeated dumps through its way in, mapped by the mount', { timeout: 600_000 }, async (t) => {
  const pyspy = requireTool(t, 'py-spy', 'bash scripts/setup.sh core');
  if (!pyspy) return;
  const engine = requireDocker(t, await startDockerEngine());
  if (!engine) return;
  t.after(() => engine.stop());
  const c = await runProgramContainer(engine, PROGRAM);
  t.after(() => c.remove());
  const target = await ContainerTarget.open(new ContainerEngine('docker', new LocalTarget()), c.name, { strategy: 'auto' });
  const py = (await target.listProcesses()).find((x) => x.name === PROGRAM);
  assert.ok(py);
  const source = chooseSampleSource(target, 'auto', new PySpyBackend(async () => pyspy), new GdbBackend(gdbLocator()), { pid: py.pid, rateHz: 10 });
  assert.equal(source.method, 'repeated py-spy dumps');
  const p = await sampleProcess({
    target,
    pid: py.pid,
    source,
    mapper: new SourceMapper({ workspaceRoots: [PROGRAMS] }),
    rateHz: 10,
    durationMs: 4000,
    stuckAfterSeconds: 2,
  });
  assert.ok(p.samples >= 10, `${p.samples} samples`);
  const reader = p.threads.find((x) => x.name === 'reader');
  assert.equal(reader?.at?.file, `/app/${PROGRAM}`, 'frames carry the container path');
  assert.equal(reader?.at?.localFile, join(PROGRAMS, PROGRAM), 'and map to the workspace through the bind mount');
  // Read from the host, which threads run comes from the kernel's task states.
  assert.equal(reader?.status, 'stuck', JSON.stringify(p.threads));
  assert.equal(reader?.wait?.kind, 'socket-wait');
  assert.equal(p.threads.find((x) => x.name === 'MainThread')?.status, 'busy');
  assert.ok(p.lines.some((l) => l.function === 'checksum'));
  assert.notEqual(processState(c.hostPid), 'T');
});
