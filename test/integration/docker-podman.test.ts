// The same container target over a real Podman: listing through `podman top` (container and host
// PIDs), and the ways in (host, copy-in, sidecar) with frames mapped through the bind mount.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { PySpyBackend } from '../../src/core/backends/pyspy';
import { dumpProcess } from '../../src/core/pipeline/dumpProcess';
import { SourceMapper } from '../../src/core/mapping/sourceMap';
import { SIDECAR_LABEL, type ContainerStrategy } from '../../src/core/targets/containerWays';
import { ContainerEngine, detectEngines } from '../../src/core/targets/containerEngine';
import { ContainerTarget } from '../../src/core/targets/docker';
import { LocalTarget } from '../../src/core/targets/local';
import { leftovers, requireDocker, runProgramContainer, type EngineOrReason, type TestContainer, type TestDockerEngine } from '../support/dockerEngine';
import { startPodmanEngine } from '../support/podmanEngine';
import { hangLine, PROGRAMS, processState } from '../support/programs';
import { PYSPY } from '../support/tools';

const PROGRAM = 'socket_recv.py';
let engineOrReason: EngineOrReason | undefined;
let c: TestContainer | undefined;

before(
  async () => {
    engineOrReason = await startPodmanEngine();
    if (!('unavailable' in engineOrReason)) c = await runProgramContainer(engineOrReason, PROGRAM);
  },
  { timeout: 600_000 },
);

after(
  async () => {
    await c?.remove();
    if (engineOrReason && !('unavailable' in engineOrReason)) await engineOrReason.stop();
  },
  { timeout: 120_000 },
);

const podman = () => new ContainerEngine('podman', new LocalTarget());

function setup(t: TestContext): TestDockerEngine | undefined {
  const e = requireDocker(t, engineOrReason);
  if (!e) return undefined;
  if (!PYSPY()) {
    if (process.env.CI === 'true') throw new Error('py-spy is not installed (run bash scripts/setup.sh core)');
    t.skip('py-spy is not installed');
    return undefined;
  }
  return e;
}

describe('podman', () => {
  test('detected by name; its containers and processes with both PIDs', async (t) => {
    const e = setup(t);
    if (!e) return;
    const [found] = await detectEngines(new LocalTarget(), 'podman');
    assert.ok(found && !found.error, String(found?.error));
    assert.match(found.info!.serverVersion, /^\d+\.\d+/);
    const list = await podman().listContainers();
    const summary = list.find((x) => x.name === c!.name);
    assert.ok(summary, JSON.stringify(list));
    assert.match(summary.image, /snag-test-python/);
    assert.equal(summary.state, 'running');
    const procs = await new ContainerTarget(podman(), summary).listProcesses();
    assert.equal(procs.length, 1, JSON.stringify(procs));
    const p = procs[0]!;
    assert.deepEqual([p.pid, p.hostPid, p.isPython, p.name, p.threads], [1, c!.hostPid, true, PROGRAM, 2]);
    assert.equal(p.exe, e.python);
  });

  for (const strategy of ['host', 'copy', 'sidecar'] as ContainerStrategy[]) {
    test(`${strategy}: frames map to the bind-mounted file`, async (t) => {
      const e = setup(t);
      if (!e) return;
      const target = await ContainerTarget.open(podman(), c!.name, { strategy });
      const d = await dumpProcess({
        target,
        pid: 1,
        backend: new PySpyBackend(async () => PYSPY()!),
        mapper: new SourceMapper({ workspaceRoots: [PROGRAMS] }),
      });
      t.diagnostic(`podman ${strategy}: ${d.durationMs} ms`);
      assert.equal(d.method, strategy);
      const user = d.threads.find((x) => x.name === 'MainThread')!.frames.find((f) => f.isUserCode)!;
      assert.deepEqual(
        [user.file, user.line, user.localFile, user.mapping?.method],
        [`/app/${PROGRAM}`, hangLine(PROGRAM, 'recv'), join(PROGRAMS, PROGRAM), 'mount'],
      );
      assert.notEqual(processState(c!.hostPid), 'T');
      if (strategy === 'copy') assert.doesNotMatch(await e.cli(['diff', c!.id]), /snag-py-spy/);
      if (strategy === 'sidecar') {
        for (let i = 0; i < 50 && (await leftovers(e, SIDECAR_LABEL)).length; i++) await new Promise((r) => setTimeout(r, 100));
        assert.deepEqual(await leftovers(e, SIDECAR_LABEL), []);
      }
    });
  }
});
