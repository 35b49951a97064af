// `snag ps --docker` and `snag dump --container` through the CLI's own entry point, real engine.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { main } from '../../src/cli/main';
import { requireDocker, runProgramContainer, startDockerEngine, type EngineOrReason, type TestContainer } from '../support/dockerEngine';
import { hangLine, PROGRAMS } from '../support/programs';
import { PYSPY } from '../support/tools';

const PROGRAM = 'socket_recv.py';
let engineOrReason: EngineOrReason | undefined;
let c: TestContainer | undefined;

before(
  async () => {
    engineOrReason = await startDockerEngine();
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

async function snag(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s), isTTY: false });
  return { code, out, err };
}

describe('snag CLI with containers', () => {
  test('snag ps --docker: engine → container → Python process with both PIDs', async (t) => {
    const e = requireDocker(t, engineOrReason);
    if (!e) return;
    const text = await snag('ps', '--docker');
    assert.equal(text.code, 0, text.err);
    assert.match(text.out, /^Docker \d/m);
    assert.match(text.out, new RegExp(`${c!.name}  ${e.image.replace(/[.]/g, '\\.')}  Up `));
    assert.match(text.out, new RegExp(`${PROGRAM}  pid 1 · .*\\(host pid ${c!.hostPid}\\)`));
    const json = await snag('ps', '--container', c!.name, '--json');
    assert.equal(json.code, 0, json.err);
    const [docker] = JSON.parse(json.out) as {
      engine: string;
      containers: { name: string; processes: { pid: number; hostPid: number; isPython: boolean }[] }[];
    }[];
    assert.equal(docker!.engine, 'docker');
    assert.deepEqual(
      docker!.containers.map((x) => x.name),
      [c!.name],
    );
    assert.deepEqual(
      docker!.containers[0]!.processes.map((p) => [p.pid, p.hostPid, p.isPython]),
      [[1, c!.hostPid, true]],
    );
  });

  for (const strategy of ['auto', 'host', 'copy', 'sidecar']) {
    test(`snag dump --container --strategy ${strategy} --json: the bind-mounted file at the hanging line`, async (t) => {
      if (!requireDocker(t, engineOrReason)) return;
      if (!PYSPY()) {
        if (process.env.CI === 'true') throw new Error('py-spy is not installed (run bash scripts/setup.sh core)');
        return t.skip('py-spy is not installed');
      }
      process.env.SNAG_PYSPY = PYSPY();
      const r = await snag('dump', '--container', c!.name, '1', '--strategy', strategy, '--json', '--root', PROGRAMS);
      assert.equal(r.code, 0, r.err);
      const d = JSON.parse(r.out) as {
        method: string;
        threads: { name: string; frames: { file: string; line: number; localFile?: string; isUserCode: boolean }[] }[];
      };
      assert.equal(d.method, strategy === 'auto' ? 'host' : strategy);
      const user = d.threads.find((x) => x.name === 'MainThread')!.frames.find((f) => f.isUserCode)!;
      assert.equal(user.file, `/app/${PROGRAM}`);
      assert.equal(user.localFile, join(PROGRAMS, PROGRAM));
      assert.equal(user.line, hangLine(PROGRAM, 'recv'));
    });
  }

  test('usage errors and a missing container: exit code and one line', async (t) => {
    if (!requireDocker(t, engineOrReason)) return;
    const bad = await snag('dump', '--container', c!.name, '1', '--strategy', 'teleport');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /^snag: --strategy expects auto, host, exec, copy, sidecar/);
    const gone = await snag('dump', '--container', 'snag-no-such-container', '1');
    assert.equal(gone.code, 1);
    assert.match(gone.err, /^snag: No running container snag-no-such-container/);
    assert.equal(gone.err.trim().split('\n').length, 1);
  });
});
