// Engines → containers → processes against a real engine: host and container PIDs side by side,
// Python recognised, the tree under `--init`, the in-container listing for images without ps,
// and path rules from the container's mounts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildProcessTree } from '../../src/core/format/processTree';
import { ContainerEngine, detectEngines } from '../../src/core/targets/containerEngine';
import { listInsideContainer } from '../../src/core/targets/containerProcesses';
import { ContainerTarget } from '../../src/core/targets/docker';
import { LocalTarget } from '../../src/core/targets/local';
import { requireDocker, runProgramContainer, startDockerEngine, type EngineOrReason, type TestContainer } from '../support/dockerEngine';
import { PROGRAMS } from '../support/programs';

const PROGRAM = 'socket_recv.py';
let engineOrReason: EngineOrReason | undefined;
let plain: TestContainer | undefined;
let withInit: TestContainer | undefined;

before(
  async () => {
    engineOrReason = await startDockerEngine();
    if ('unavailable' in engineOrReason) return;
    [plain, withInit] = await Promise.all([
      runProgramContainer(engineOrReason, PROGRAM),
      runProgramContainer(engineOrReason, PROGRAM, { runArgs: ['--init'] }),
    ]);
  },
  { timeout: 600_000 },
);

after(
  async () => {
    await plain?.remove();
    await withInit?.remove();
    if (engineOrReason && !('unavailable' in engineOrReason)) await engineOrReason.stop();
  },
  { timeout: 120_000 },
);

const docker = () => new ContainerEngine('docker', new LocalTarget());

describe('docker listing', () => {
  test('auto-detects the engine DOCKER_HOST points at', async (t) => {
    const e = requireDocker(t, engineOrReason);
    if (!e) return;
    const found = await detectEngines(new LocalTarget(), 'auto');
    const d = found.find((f) => f.engine.kind === 'docker');
    assert.ok(d && !d.error, `docker found: ${JSON.stringify(found.map((f) => [f.engine.kind, String(f.error ?? '')]))}`);
    assert.match(d.info!.serverVersion, /^\d+\.\d+/);
    assert.equal(d.info!.endpoint, e.dockerHost, 'the CLI talks where DOCKER_HOST says');
    const explicit = await detectEngines(new LocalTarget(), 'docker');
    assert.equal(explicit.length, 1);
  });

  test('running containers with name, image and status', async (t) => {
    const e = requireDocker(t, engineOrReason);
    if (!e) return;
    const list = await docker().listContainers();
    const c = list.find((x) => x.name === plain!.name);
    assert.ok(c, `${plain!.name} in ${JSON.stringify(list)}`);
    assert.equal(c.id, plain!.id);
    assert.equal(c.image, e.image);
    assert.equal(c.state, 'running');
    assert.match(c.status, /^Up /);
  });

  test('processes: container PID and host PID, Python recognised from its executable', async (t) => {
    const e = requireDocker(t, engineOrReason);
    if (!e) return;
    const target = await ContainerTarget.open(docker(), plain!.name);
    const procs = await target.listProcesses();
    assert.equal(procs.length, 1, JSON.stringify(procs));
    const p = procs[0]!;
    assert.equal(p.pid, 1);
    assert.equal(p.hostPid, plain!.hostPid, 'docker inspect State.Pid is the host PID');
    assert.equal(p.isPython, true);
    assert.equal(p.exe, e.python);
    assert.match(p.pythonReason ?? '', /^executable /);
    assert.equal(p.name, PROGRAM);
    assert.equal(p.threads, 2);
    assert.equal(target.ref.kind, 'docker');
    assert.equal(target.ref.label, `${plain!.name} (${e.image})`);
  });

  test('--init: docker-init is PID 1 and the Python process its child in the tree', async (t) => {
    if (!requireDocker(t, engineOrReason)) return;
    const target = await ContainerTarget.open(docker(), withInit!.name);
    const all = await target.listProcesses({ all: true });
    const init = all.find((p) => p.pid === 1);
    assert.ok(init && !init.isPython, `PID 1 is the init: ${JSON.stringify(all)}`);
    const py = all.find((p) => p.isPython);
    assert.ok(py && py.pid !== 1 && py.ppid === 1, JSON.stringify(all));
    const tree = buildProcessTree(all);
    assert.equal(tree.length, 1);
    assert.equal(tree[0]!.children[0]!.process.pid, py.pid);
    assert.deepEqual(
      (await target.listProcesses()).map((p) => p.pid),
      [py.pid],
      'only Python by default',
    );
  });

  test('inside the container without ps: its Python lists /proc', async (t) => {
    const e = requireDocker(t, engineOrReason);
    if (!e) return;
    const target = await ContainerTarget.open(docker(), plain!.name);
    const inside = await listInsideContainer(target.engine, await target.inspect(), target.runner, 'python3');
    assert.equal(inside.via, 'exec-python', 'the test image has no ps');
    assert.equal(inside.hostPidsVisible, false);
    const py = inside.processes.find((p) => p.pid === 1);
    assert.ok(py?.isPython, JSON.stringify(inside.processes));
    assert.equal(py.name, PROGRAM);
    assert.equal(py.exe, e.python);
    assert.equal(py.threads, 2);
    assert.ok(!inside.processes.some((p) => p.command.includes('import json,os')), 'the lister hides itself');
  });

  test('path rules from the bind mounts; paths are not local', async (t) => {
    if (!requireDocker(t, engineOrReason)) return;
    const target = await ContainerTarget.open(docker(), plain!.name);
    const m = await target.sourceMapping();
    assert.equal(m.pathsAreLocal, false);
    assert.deepEqual(m.mounts, [{ remoteRoot: '/app', localRoot: PROGRAMS }]);
  });

  test('a container that is not there: one clear error', async (t) => {
    if (!requireDocker(t, engineOrReason)) return;
    await assert.rejects(ContainerTarget.open(docker(), 'snag-no-such-container'), (err: Error & { reason?: string }) => {
      assert.equal(err.reason, 'process-gone');
      assert.match(err.message, /No running container snag-no-such-container/);
      return true;
    });
  });
});
