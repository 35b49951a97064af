// The asyncio task reader where Snag works besides this machine: a real docker container (the dump
// read from the host by host PID, and from inside by `docker exec`; `snag tasks --container`) and a
// real sshd on 127.0.0.1 (`SshTarget`, `snag tasks --ssh`). The program is asyncio_waits.py: its
// tasks wait at the lines of its SNAG-HANG markers, and its ticker keeps printing while it is read.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { main } from '../../src/cli/main';
import { readAsyncioTasks } from '../../src/core/asyncio/readTasks';
import { PySpyBackend } from '../../src/core/backends/pyspy';
import type { AsyncioTasks, StackDump } from '../../src/core/model';
import { SourceMapper } from '../../src/core/mapping/sourceMap';
import { dumpProcess } from '../../src/core/pipeline/dumpProcess';
import { ContainerEngine } from '../../src/core/targets/containerEngine';
import type { ContainerStrategyChoice } from '../../src/core/targets/containerWays';
import { ContainerTarget } from '../../src/core/targets/docker';
import { LocalTarget } from '../../src/core/targets/local';
import { SshTarget } from '../../src/core/targets/ssh';
import { requireDocker, runProgramContainer, startDockerEngine, type EngineOrReason, type TestContainer } from '../support/dockerEngine';
import { hangLine, PROGRAMS, processState } from '../support/programs';
import { absolutePython, startRemoteProgram, startSshd } from '../support/sshd';
import { PYSPY, requireTool } from '../support/tools';

const PROGRAM = 'asyncio_waits.py';
const line = (tag: string) => hangLine(PROGRAM, tag);

async function snag(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s), isTTY: false });
  return { code, out, err };
}

/** The task waiting on the Event only it holds, and the one on the lock: where the program says. */
function assertWaits(tasks: AsyncioTasks, file: string, ctx: string): void {
  const lonely = tasks.tasks.find((t) => t.frames.some((f) => f.function.endsWith('wait_lonely_event')));
  assert.ok(lonely, `${ctx}: ${tasks.tasks.map((t) => t.frames.map((f) => f.function).join('<')).join(' | ')}`);
  const user = lonely.frames.find((f) => f.isUserCode);
  assert.equal(user?.line, line('lonely-event'), ctx);
  assert.equal(user?.localFile, join(PROGRAMS, PROGRAM), `${ctx}: mapped to the workspace file`);
  assert.equal(user?.file, file, ctx);
  assert.equal(lonely.awaits?.orphan, true, ctx);
  const lock = tasks.tasks.find((t) => t.awaits?.what === 'lock');
  assert.equal(lock?.frames.find((f) => f.isUserCode)?.line, line('lock-wait'), ctx);
  assert.ok(tasks.tasks.length >= 14, `${ctx}: ${tasks.tasks.length} tasks`);
}

/** Resolves once `logs()` has a tick it did not have before (the program made progress). */
async function ticksOn(logs: () => Promise<string>, ctx: string): Promise<void> {
  const count = (s: string) => (s.match(/^tick /gm) ?? []).length;
  const before = count(await logs());
  for (let i = 0; i < 200; i++) {
    if (count(await logs()) > before) return;
    await delay(100);
  }
  throw new Error(`${ctx}: the program printed no new tick: it did not keep running`);
}

let engineOrReason: EngineOrReason | undefined;
let plain: TestContainer | undefined;
let withPyspy: TestContainer | undefined;
/** The app runs as a user of its own: root in the container (docker exec) may not read its memory. */
let asUser: TestContainer | undefined;

before(
  async () => {
    engineOrReason = await startDockerEngine();
    if ('unavailable' in engineOrReason || !PYSPY()) return;
    const e = engineOrReason;
    [plain, withPyspy, asUser] = await Promise.all([
      runProgramContainer(e, PROGRAM),
      runProgramContainer(e, PROGRAM, { runArgs: ['-v', `${PYSPY()}:/usr/local/bin/py-spy:ro`, '--cap-add', 'SYS_PTRACE'] }),
      runProgramContainer(e, PROGRAM, { runArgs: ['--user', '4242:4242'] }),
    ]);
  },
  { timeout: 600_000 },
);

after(
  async () => {
    await plain?.remove();
    await withPyspy?.remove();
    await asUser?.remove();
    if (engineOrReason && !('unavailable' in engineOrReason)) await engineOrReason.stop();
  },
  { timeout: 120_000 },
);

function containerSetup(t: TestContext): boolean {
  const e = requireDocker(t, engineOrReason);
  if (!e) return false;
  if (!PYSPY()) {
    if (process.env.CI === 'true') throw new Error('py-spy is not installed (run bash scripts/setup.sh core)');
    t.skip('py-spy is not installed (run bash scripts/setup.sh core)');
    return false;
  }
  return true;
}

async function containerTarget(c: TestContainer, strategy: ContainerStrategyChoice): Promise<{ target: ContainerTarget; pid: number }> {
  const target = await ContainerTarget.open(new ContainerEngine('docker', new LocalTarget()), c.name, { strategy });
  const py = (await target.listProcesses()).find((p) => p.name === PROGRAM);
  assert.ok(py, `no ${PROGRAM} in container ${c.name}`);
  return { target, pid: py.pid };
}

async function dumpIn(c: TestContainer, strategy: ContainerStrategyChoice): Promise<StackDump> {
  const { target, pid } = await containerTarget(c, strategy);
  return dumpProcess({ target, pid, backend: new PySpyBackend(async () => PYSPY()!), mapper: new SourceMapper({ workspaceRoots: [PROGRAMS] }) });
}

describe('asyncio tasks in a docker container', () => {
  for (const [strategy, which, as] of [
    ['host', () => plain, 'as root'],
    ['exec', () => withPyspy, 'as root'],
    ['host', () => asUser, 'as a user of its own'],
    ['auto', () => asUser, 'as a user of its own'],
  ] as const) {
    const how = strategy === 'exec' ? 'with docker exec' : `from the host (--strategy ${strategy})`;
    test(`the app runs ${as}: a dump read ${how} carries the tasks, mapped by the mount`, { timeout: 120_000 }, async (t) => {
      if (!containerSetup(t)) return;
      const c = which()!;
      const e = engineOrReason as Exclude<EngineOrReason, { unavailable: string }>;
      const d = await dumpIn(c, strategy);
      assert.equal(d.method, strategy === 'auto' ? 'host' : strategy);
      assert.ok(d.asyncio, `the dump carries the tasks (${d.notes?.join(' ')})`);
      assertWaits(d.asyncio, `/app/${PROGRAM}`, strategy);
      assert.ok(
        d.findings.some((f) => f.kind === 'asyncio-orphan-wait' && f.frame?.line === line('lonely-event')),
        d.findings.map((f) => f.kind).join(','),
      );
      assert.notEqual(processState(c.hostPid), 'T');
      await ticksOn(() => e.cli(['logs', c.id], { timeoutMs: 10_000 }), strategy);
    });
  }

  test('snag tasks --container: the groups as text and every task in --json', { timeout: 120_000 }, async (t) => {
    if (!containerSetup(t)) return;
    const r = await snag('tasks', '--container', plain!.name, '1', '--root', PROGRAMS);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^asyncio: 15 tasks: /m);
    assert.match(r.out, new RegExp(`^Task-\\d+ waits for an Event at ${PROGRAM.replace('.', '\\.')}:${line('lonely-event')} in wait_lonely_event$`, 'm'));
    const json = await snag('tasks', '--container', plain!.name, '1', '--root', PROGRAMS, '--json');
    assert.equal(json.code, 0, json.err);
    const tasks = JSON.parse(json.out) as AsyncioTasks;
    assertWaits(tasks, `/app/${PROGRAM}`, '--json');
  });
});

test('asyncio tasks over ssh: a dump carries them, snag tasks --ssh lists them', { timeout: 300_000 }, async (t) => {
  const pyspy = requireTool(t, 'py-spy', 'bash scripts/setup.sh core');
  if (!pyspy) return;
  const sshd = await startSshd(t);
  if (!sshd) return;
  const base = mkdtempSync(join(tmpdir(), 'snag-ssh-asyncio-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const deployed = join(base, 'srv', 'app');
  mkdirSync(deployed, { recursive: true });
  copyFileSync(join(PROGRAMS, PROGRAM), join(deployed, PROGRAM));
  const mappings = [{ remoteRoot: deployed, localRoot: PROGRAMS }];
  const target = new SshTarget({
    host: sshd.host,
    configFile: sshd.clientConfig,
    controlDir: join(sshd.dir, 'ctl'),
    pyspyPath: pyspy,
    pathMappings: mappings,
    localPySpy: () => Promise.reject(new Error('this test must not copy py-spy')),
  });
  t.after(async () => {
    await target.dispose();
    await target.runner.close();
  });
  const log = join(base, 'program.log');
  const program = await startRemoteProgram(target.runner, absolutePython(), join(deployed, PROGRAM), log);
  t.after(program.stop);

  const read = await readAsyncioTasks(target, program.pid);
  assert.ok(read.tasks.length >= 14);

  const d = await dumpProcess({
    target,
    pid: program.pid,
    backend: new PySpyBackend(async () => pyspy),
    mapper: new SourceMapper({ workspaceRoots: [PROGRAMS] }),
  });
  assert.ok(d.asyncio, `the dump carries the tasks (${d.notes?.join(' ')})`);
  assertWaits(d.asyncio, join(deployed, PROGRAM), 'ssh dump');
  await ticksOn(async () => readFileSync(log, 'utf8'), 'ssh');

  const r = await snag('tasks', '--ssh', sshd.host, '--ssh-config', sshd.clientConfig, String(program.pid), '--map', `${deployed}=${PROGRAMS}`, '--json');
  assert.equal(r.code, 0, r.err);
  assertWaits(JSON.parse(r.out) as AsyncioTasks, join(deployed, PROGRAM), 'snag tasks --ssh');
});
