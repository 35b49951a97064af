// Every way into a container against a real engine: host-side, exec, copy-in, sidecar and auto,
// on a stuck program whose folder is bind-mounted at /app; frames map to the host files by mount.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { PySpyBackend } from '../../src/core/backends/pyspy';
import { dumpProcess } from '../../src/core/pipeline/dumpProcess';
import type { StackDump } from '../../src/core/model';
import { SourceMapper } from '../../src/core/mapping/sourceMap';
import { SIDECAR_LABEL, type ContainerStrategyChoice } from '../../src/core/targets/containerWays';
import { ContainerEngine } from '../../src/core/targets/containerEngine';
import { ContainerTarget, type ContainerTargetOptions } from '../../src/core/targets/docker';
import { LocalTarget } from '../../src/core/targets/local';
import {
  leftovers,
  requireDocker,
  runProgramContainer,
  startDockerEngine,
  type EngineOrReason,
  type TestContainer,
  type TestDockerEngine,
} from '../support/dockerEngine';
import { hangLine, PROGRAMS, processState } from '../support/programs';
import { PYSPY } from '../support/tools';

const PROGRAM = 'socket_recv.py';
const HANG = hangLine(PROGRAM, 'recv');

let engineOrReason: EngineOrReason | undefined;
let plain: TestContainer | undefined;
let withPyspy: TestContainer | undefined;

before(
  async () => {
    engineOrReason = await startDockerEngine();
    if ('unavailable' in engineOrReason || !PYSPY()) return;
    const e = engineOrReason;
    // One container of the bare image, one with py-spy bind-mounted onto its PATH (for exec).
    [plain, withPyspy] = await Promise.all([
      runProgramContainer(e, PROGRAM),
      runProgramContainer(e, PROGRAM, { runArgs: ['-v', `${PYSPY()}:/usr/local/bin/py-spy:ro`] }),
    ]);
  },
  { timeout: 600_000 },
);

after(
  async () => {
    await plain?.remove();
    await withPyspy?.remove();
    if (engineOrReason && !('unavailable' in engineOrReason)) await engineOrReason.stop();
  },
  { timeout: 120_000 },
);

function setup(t: TestContext): TestDockerEngine | undefined {
  const e = requireDocker(t, engineOrReason);
  if (!e) return undefined;
  if (!PYSPY()) {
    if (process.env.CI === 'true') throw new Error('py-spy is not installed (run bash scripts/setup.sh core)');
    t.skip('py-spy is not installed (run bash scripts/setup.sh core)');
    return undefined;
  }
  return e;
}

async function dumpIn(c: TestContainer, strategy: ContainerStrategyChoice, extra: ContainerTargetOptions = {}): Promise<StackDump> {
  const engine = new ContainerEngine('docker', new LocalTarget());
  const target = await ContainerTarget.open(engine, c.name, { strategy, ...extra });
  const procs = await target.listProcesses();
  const py = procs.find((p) => p.name === PROGRAM);
  assert.ok(py, `no ${PROGRAM} among ${JSON.stringify(procs)}`);
  return dumpProcess({
    target,
    pid: py.pid,
    backend: new PySpyBackend(async () => PYSPY()!),
    mapper: new SourceMapper({ workspaceRoots: [PROGRAMS] }),
  });
}

function assertStuckFrameMapped(d: StackDump): void {
  const main = d.threads.find((t) => t.name === 'MainThread');
  assert.ok(main, 'MainThread is in the dump');
  const user = main.frames.find((f) => f.isUserCode);
  assert.ok(user, `a user frame in ${JSON.stringify(main.frames)}`);
  assert.equal(user.file, `/app/${PROGRAM}`, 'frames carry the container path');
  assert.equal(user.line, HANG);
  assert.equal(user.function, 'fetch_reply');
  assert.equal(user.localFile, join(PROGRAMS, PROGRAM), 'the bind mount maps the frame to the host file');
  assert.equal(user.mapping?.method, 'mount');
  assert.ok(
    d.threads.some((t) => t.name === 'silent-server'),
    'every thread is read',
  );
}

describe('docker dump strategies', () => {
  test('host: py-spy on the host PID, frames mapped through the bind mount', async (t) => {
    if (!setup(t)) return;
    const d = await dumpIn(plain!, 'host');
    t.diagnostic(`host: ${d.durationMs} ms`);
    assert.equal(d.method, 'host');
    assert.equal(d.pid, 1, 'the dump names the PID inside the container');
    assertStuckFrameMapped(d);
    // py-spy alone would call every thread active here; the kernel's task states, matched by NSpid, tell.
    assert.equal(d.threads.find((x) => x.name === 'MainThread')?.active, false, 'the thread blocked in recv is idle');
    assert.ok(!d.notes?.some((n) => /show as active/.test(n)), JSON.stringify(d.notes));
    assert.equal(d.pythonVersion, '3.11');
    assert.notEqual(processState(plain!.hostPid), 'T', 'the target is not left stopped');
  });

  test('exec: the container’s own py-spy', async (t) => {
    if (!setup(t)) return;
    const d = await dumpIn(withPyspy!, 'exec');
    t.diagnostic(`exec: ${d.durationMs} ms`);
    assert.equal(d.method, 'exec');
    assertStuckFrameMapped(d);
    const main = d.threads.find((x) => x.name === 'MainThread')!;
    assert.equal(main.active, false, 'from inside the namespace py-spy sees that the thread is idle');
  });

  test('exec fails cleanly when the image has no py-spy', async (t) => {
    if (!setup(t)) return;
    await assert.rejects(dumpIn(plain!, 'exec'), (err: Error & { reason?: string; fixes?: string[] }) => {
      assert.equal(err.reason, 'tool-not-found');
      assert.match(err.message, /has no py-spy of its own/);
      assert.ok(err.fixes?.includes('use-sidecar'));
      return true;
    });
  });

  test('copy: py-spy copied in, run and removed (image without /tmp and rm)', async (t) => {
    const e = setup(t);
    if (!e) return;
    const d = await dumpIn(plain!, 'copy');
    t.diagnostic(`copy: ${d.durationMs} ms`);
    assert.equal(d.method, 'copy');
    assertStuckFrameMapped(d);
    assert.ok(
      d.notes?.some((n) => /copied into the container .* removed afterwards/.test(n)),
      JSON.stringify(d.notes),
    );
    const diff = await e.cli(['diff', plain!.id]);
    assert.doesNotMatch(diff, /snag-py-spy/, 'nothing of the copy is left in the container');
  });

  test('sidecar: shares the PID namespace, leaves no container behind', async (t) => {
    const e = setup(t);
    if (!e) return;
    const d = await dumpIn(plain!, 'sidecar');
    t.diagnostic(`sidecar: ${d.durationMs} ms`);
    assert.equal(d.method, 'sidecar');
    assertStuckFrameMapped(d);
    assert.equal(d.threads.find((x) => x.name === 'MainThread')!.active, false);
    // --rm is asynchronous in the daemon; give it a moment before calling anything a leftover.
    for (let i = 0; i < 50 && (await leftovers(e, SIDECAR_LABEL)).length; i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(await leftovers(e, SIDECAR_LABEL), []);
  });

  test('auto: picks the host first here and says so', async (t) => {
    if (!setup(t)) return;
    const d = await dumpIn(plain!, 'auto');
    assert.equal(d.method, 'host');
    assertStuckFrameMapped(d);
  });

  test('auto: moves on when a way is refused, and names what it tried', async (t) => {
    if (!setup(t)) return;
    // exec as an unprivileged user is refused; with host off (no host PIDs would do the same) auto
    // falls through exec → copy → sidecar, which works.
    const d = await dumpIn(withPyspy!, 'auto', { execUser: '1000', excludeStrategies: ['host'] });
    assert.equal(d.method, 'sidecar');
    assert.ok(
      d.notes?.some((n) => /container's own py-spy did not work: .*ptrace was refused/.test(n)),
      JSON.stringify(d.notes),
    );
    assertStuckFrameMapped(d);
  });
});
