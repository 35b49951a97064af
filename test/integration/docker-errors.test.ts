// Real refusals and a container that goes away mid-dump. This kernel has no Yama, so ptrace inside
// containers works even without SYS_PTRACE; the refusals are produced the way that is real here:
// py-spy run as another user (`exec -u 1000`) and a sidecar without capabilities (`--cap-drop ALL`).
import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import { PySpyBackend } from '../../src/core/backends/pyspy';
import { dumpProcess } from '../../src/core/pipeline/dumpProcess';
import { SnagError } from '../../src/core/errors';
import { SourceMapper } from '../../src/core/mapping/sourceMap';
import { SIDECAR_LABEL, type ContainerStrategy } from '../../src/core/targets/containerWays';
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
import { PROGRAMS, processState } from '../support/programs';
import { PYSPY } from '../support/tools';

const PROGRAM = 'socket_recv.py';
let engineOrReason: EngineOrReason | undefined;
const containers: TestContainer[] = [];

before(
  async () => {
    engineOrReason = await startDockerEngine();
  },
  { timeout: 600_000 },
);

after(
  async () => {
    for (const c of containers) await c.remove();
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

async function start(e: TestDockerEngine, runArgs: string[] = []): Promise<TestContainer> {
  const c = await runProgramContainer(e, PROGRAM, { runArgs });
  containers.push(c);
  return c;
}

async function dump(c: TestContainer, options: ContainerTargetOptions, signal?: AbortSignal): Promise<unknown> {
  const target = await ContainerTarget.open(new ContainerEngine('docker', new LocalTarget()), c.name, options);
  const py = (await target.listProcesses()).find((p) => p.name === PROGRAM)!;
  return dumpProcess({
    target,
    pid: py.pid,
    backend: new PySpyBackend(async () => PYSPY()!),
    mapper: new SourceMapper({ workspaceRoots: [PROGRAMS] }),
    signal,
  });
}

function assertSnagError(err: unknown, reason: string, t?: TestContext): asserts err is SnagError {
  if (SnagError.is(err)) t?.diagnostic(err.message);
  assert.ok(SnagError.is(err), `a SnagError, got ${String(err)}`);
  assert.equal(err.reason, reason, err.message);
  assert.doesNotMatch(err.message, /\n/, 'one line');
}

const PTRACE_ADVICE = /--cap-add SYS_PTRACE.*securityContext\.capabilities\.add: \["SYS_PTRACE"\]/;

describe('docker refusals', () => {
  test('exec as another user: the message says what to add and offers the sidecar', async (t) => {
    const e = setup(t);
    if (!e) return;
    const c = await start(e, ['-v', `${PYSPY()}:/usr/local/bin/py-spy:ro`]);
    const err = await dump(c, { strategy: 'exec', execUser: '1000' }).then(
      () => undefined,
      (x: unknown) => x,
    );
    assertSnagError(err, 'permission-denied', t);
    assert.match(err.message, PTRACE_ADVICE);
    assert.match(err.message, /sidecar/);
    assert.deepEqual([...err.fixes].sort(), ['add-sys-ptrace', 'use-sidecar']);
    assert.notEqual(processState(c.hostPid), 'T');
  });

  test('copy-in refused: same advice, and the copy is still removed', async (t) => {
    const e = setup(t);
    if (!e) return;
    const c = await start(e);
    const err = await dump(c, { strategy: 'copy', execUser: '1000' }).then(
      () => undefined,
      (x: unknown) => x,
    );
    assertSnagError(err, 'permission-denied', t);
    assert.match(err.message, PTRACE_ADVICE);
    assert.ok(err.fixes.includes('use-sidecar'));
    assert.doesNotMatch(await e.cli(['diff', c.id]), /snag-py-spy/);
  });

  test('a sidecar without SYS_PTRACE: refused, explained, removed', async (t) => {
    const e = setup(t);
    if (!e) return;
    const c = await start(e);
    const err = await dump(c, { strategy: 'sidecar', sidecarAddsPtrace: false, sidecarRunArgs: ['--cap-drop', 'ALL'] }).then(
      () => undefined,
      (x: unknown) => x,
    );
    assertSnagError(err, 'permission-denied', t);
    assert.match(err.message, /must grant the sidecar --cap-add SYS_PTRACE/);
    assert.match(err.message, /securityContext\.capabilities\.add: \["SYS_PTRACE"\]/);
    assert.deepEqual(await leftovers(e, SIDECAR_LABEL), []);
  });

  test('auto, every way refused: the in-container advice wins and lists what was tried', async (t) => {
    const e = setup(t);
    if (!e) return;
    const c = await start(e, ['-v', `${PYSPY()}:/usr/local/bin/py-spy:ro`]);
    const err = await dump(c, { execUser: '1000', excludeStrategies: ['host'], sidecarAddsPtrace: false, sidecarRunArgs: ['--cap-drop', 'ALL'] }).then(
      () => undefined,
      (x: unknown) => x,
    );
    assertSnagError(err, 'permission-denied', t);
    assert.match(err.message, PTRACE_ADVICE);
    assert.match(err.message, /Tried exec: permission-denied, copy: permission-denied, sidecar: permission-denied/);
    assert.ok(!err.fixes.includes('use-sidecar'), 'the sidecar was tried already');
  });
});

describe('a read-only container', () => {
  test('copy-in cannot write: a clear error, and auto goes on to the sidecar', async (t) => {
    const e = setup(t);
    if (!e) return;
    const c = await start(e, ['--read-only']);
    const err = await dump(c, { strategy: 'copy' }).then(
      () => undefined,
      (x: unknown) => x,
    );
    assertSnagError(err, 'tool-failed', t);
    assert.match(err.message, /Could not copy py-spy into container/);
    assert.ok(err.fixes.includes('use-sidecar'));
    const d = (await dump(c, { excludeStrategies: ['host'] })) as { method: string; notes: string[] };
    assert.equal(d.method, 'sidecar');
    assert.ok(
      d.notes.some((n) => /copied into the container did not work: Could not copy/.test(n)),
      JSON.stringify(d.notes),
    );
  });
});

describe('a container that exits during the dump', () => {
  const kill = (e: TestDockerEngine, c: TestContainer, how: 'rm' | 'kill') => (how === 'rm' ? e.cli(['rm', '-f', c.id]) : e.cli(['kill', c.id]));

  for (const [strategy, phase, how] of [
    ['host', 'start', 'kill'],
    ['exec', 'start', 'kill'],
    ['copy', 'copied', 'rm'],
    ['sidecar', 'start', 'kill'],
    ['sidecar', 'start', 'rm'],
  ] as [ContainerStrategy, 'start' | 'copied', 'rm' | 'kill'][]) {
    test(`${strategy}: container ${how === 'rm' ? 'removed' : 'killed'} at "${phase}" → one clean error, nothing left`, async (t) => {
      const e = setup(t);
      if (!e) return;
      const c = await start(e, strategy === 'exec' ? ['-v', `${PYSPY()}:/usr/local/bin/py-spy:ro`] : []);
      const err = await dump(c, {
        strategy,
        onStep: async (s) => {
          if (s.phase === phase) await kill(e, c, how);
        },
      }).then(
        () => undefined,
        (x: unknown) => x,
      );
      assertSnagError(err, 'process-gone', t);
      assert.match(err.message, new RegExp(`${c.name}|process 1`));
      assert.deepEqual(await leftovers(e, SIDECAR_LABEL), [], 'no sidecar left');
    });
  }

  test('copy: container stopped after the copy: the error says where the copy stays', async (t) => {
    const e = setup(t);
    if (!e) return;
    const c = await start(e);
    const err = await dump(c, { strategy: 'copy', onStep: async (s) => void (s.phase === 'copied' && (await e.cli(['kill', c.id]))) }).then(
      () => undefined,
      (x: unknown) => x,
    );
    assertSnagError(err, 'process-gone', t);
    // A stopped container cannot run rm, and engines have no command to delete a file from one.
    const diff = await e.cli(['diff', c.id]);
    const left = /\/(\.snag-py-spy-[0-9a-f]+)/.exec(diff)?.[1];
    if (left) assert.match(err.message, new RegExp(`${left}\\) stays in the stopped container ${c.name}`));
    else assert.doesNotMatch(err.message, /stays/);
  });
});

describe('Cancel during a dump', () => {
  test('sidecar: cancelled as it starts → cancelled, no sidecar left', async (t) => {
    const e = setup(t);
    if (!e) return;
    const c = await start(e);
    const ctl = new AbortController();
    const err = await dump(c, { strategy: 'sidecar', onStep: () => ctl.abort() }, ctl.signal).then(
      () => undefined,
      (x: unknown) => x,
    );
    assertSnagError(err, 'cancelled', t);
    assert.deepEqual(await leftovers(e, SIDECAR_LABEL), []);
    assert.notEqual(processState(c.hostPid), 'T');
  });

  test('sidecar: cancelled while it runs → whatever the timing, no sidecar left', async (t) => {
    const e = setup(t);
    if (!e) return;
    const c = await start(e);
    const ctl = new AbortController();
    const result = await dump(c, { strategy: 'sidecar', onStep: () => void setTimeout(() => ctl.abort(), 120) }, ctl.signal).then(
      () => 'dumped',
      (x: unknown) => (SnagError.is(x) ? x.reason : String(x)),
    );
    t.diagnostic(`outcome: ${result}`);
    assert.ok(result === 'dumped' || result === 'cancelled', result);
    assert.deepEqual(await leftovers(e, SIDECAR_LABEL), []);
  });

  test('copy: cancelled after the copy → cancelled, the copy removed', async (t) => {
    const e = setup(t);
    if (!e) return;
    const c = await start(e);
    const ctl = new AbortController();
    const err = await dump(c, { strategy: 'copy', onStep: (s) => void (s.phase === 'copied' && ctl.abort()) }, ctl.signal).then(
      () => undefined,
      (x: unknown) => x,
    );
    assertSnagError(err, 'cancelled', t);
    assert.doesNotMatch(await e.cli(['diff', c.id]), /snag-py-spy/);
  });
});
