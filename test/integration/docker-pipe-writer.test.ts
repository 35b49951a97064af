// Every way into a container gets the same pipe guard as a local process: a thread blocked writing
// to a pipe is read without pausing (a pause would cut its write short and lose output). Proved on a
// real container whose child writes 1 MB into a pipe its parent reads seconds later, for each of
// exec, copy-in and sidecar; without the guard the parent reads less than 1,000,000 bytes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { PySpyBackend } from '../../src/core/backends/pyspy';
import { dumpProcess } from '../../src/core/pipeline/dumpProcess';
import { SourceMapper } from '../../src/core/mapping/sourceMap';
import type { ContainerStrategy } from '../../src/core/targets/containerWays';
import { ContainerEngine } from '../../src/core/targets/containerEngine';
import { ContainerTarget } from '../../src/core/targets/docker';
import { LocalTarget } from '../../src/core/targets/local';
import { requireDocker, runProgramContainer, startDockerEngine, type EngineOrReason, type TestContainer } from '../support/dockerEngine';
import { PROGRAMS } from '../support/programs';
import { PYSPY } from '../support/tools';

const STRATEGIES: ContainerStrategy[] = ['exec', 'copy', 'sidecar'];
let engineOrReason: EngineOrReason | undefined;
const containers = new Map<ContainerStrategy, TestContainer>();

before(
  async () => {
    engineOrReason = await startDockerEngine();
    if ('unavailable' in engineOrReason) return;
  },
  { timeout: 600_000 },
);

after(
  async () => {
    await Promise.all([...containers.values()].map((c) => c.remove()));
    if (engineOrReason && !('unavailable' in engineOrReason)) await engineOrReason.stop();
  },
  { timeout: 120_000 },
);

describe('containers: a thread blocked writing to a pipe', () => {
  for (const strategy of STRATEGIES) {
    it(`${strategy}: read without pausing, said so, and the parent still gets all 1,000,000 bytes`, { timeout: 120_000 }, async (t) => {
      const e = requireDocker(t, engineOrReason);
      if (!e) return;
      if (!PYSPY()) throw new Error('py-spy is not installed (run bash scripts/setup.sh core)');
      // The parent reads the pipe 6 s after it started: time for the listing and one dump.
      const c = await runProgramContainer(e, 'pipe_writer.py', {
        args: ['6'],
        runArgs: strategy === 'exec' ? ['-v', `${PYSPY()}:/usr/local/bin/py-spy:ro`] : [],
      });
      containers.set(strategy, c);
      const logs = () => e.cli(['logs', c.id], { timeoutMs: 10_000 });
      const child = Number(/child=(\d+)/.exec(await logs())![1]);
      const engine = new ContainerEngine('docker', new LocalTarget());
      const target = await ContainerTarget.open(engine, c.name, { strategy });
      const d = await dumpProcess({
        target,
        pid: child,
        backend: new PySpyBackend(async () => PYSPY()!),
        mapper: new SourceMapper({ workspaceRoots: [PROGRAMS] }),
      });
      assert.equal(d.method, strategy);
      assert.ok(
        d.notes?.some((n) => /Read without pausing the process: thread \d+ is blocked writing to a pipe/.test(n)),
        JSON.stringify(d.notes),
      );
      const deadline = Date.now() + 30_000;
      while (!/read \d+ bytes/.test(await logs())) {
        assert.ok(Date.now() < deadline, 'the parent never read');
        await delay(200);
      }
      assert.equal(Number(/read (\d+) bytes/.exec(await logs())![1]), 1_000_000, 'nothing the child wrote was lost');
    });
  }
});
