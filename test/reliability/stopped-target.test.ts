// The one guard on every target kind: a tool that stops the target (and dies, hangs or exits as if
// nothing happened) never leaves it stopped; a tool that hangs past Snag's timeout is ended where it
// runs, not only Snag's local client. Fake py-spys stand in for the misbehaving tool; the targets,
// the sshd and the container engine are real.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { chooseBackend } from '../../src/core/backends/auto';
import { GdbBackend } from '../../src/core/backends/gdb';
import { PySpyBackend } from '../../src/core/backends/pyspy';
import { dumpProcess } from '../../src/core/pipeline/dumpProcess';
import { errorMessage, SnagError } from '../../src/core/errors';
import type { StackDump } from '../../src/core/model';
import { SourceMapper } from '../../src/core/mapping/sourceMap';
import { ContainerEngine } from '../../src/core/targets/containerEngine';
import { ContainerTarget } from '../../src/core/targets/docker';
import { LocalTarget } from '../../src/core/targets/local';
import { SshTarget } from '../../src/core/targets/ssh';
import type { Target } from '../../src/core/targets/target';
import { requireDocker, runProgramContainer, startDockerEngine, type EngineOrReason, type TestContainer } from '../support/dockerEngine';
import { PROGRAMS, processState, startProgram } from '../support/programs';
import { startSshd } from '../support/sshd';

const dir = mkdtempSync(join(tmpdir(), 'snag-fake-tools-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A fake py-spy: finds `--pid N`, stops N with SIGSTOP, then does `then` (sh). It logs its pid to `<name>.pid`. */
function fakePyspy(name: string, then: string): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `#!/bin/sh\necho $$ > "${path}.pid"\npid=; prev=\nfor a in "$@"; do [ "$prev" = --pid ] && pid=$a; prev=$a; done\nkill -STOP "$pid"\n${then}\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

const STOP_AND_DIE = fakePyspy('stop-and-die', 'echo "Error: something broke" >&2; exit 1');
const STOP_AND_SUCCEED = fakePyspy('stop-and-succeed', 'echo "[]"; exit 0');
const STOP_AND_HANG = fakePyspy('stop-and-hang', 'sleep 300');
const STOP_AND_SIGKILL_SELF = fakePyspy('stop-and-sigkill-self', 'kill -KILL $$');
// Undo its own stop, leave a child that stops the target again after the tool has exited 0.
const LATE_STOPPER = fakePyspy('late-stopper', 'kill -CONT "$pid"; (sleep 0.6; kill -STOP "$pid") >/dev/null 2>&1 &\necho "[]"; exit 0');
// Kills the target and fails: an auto dump must not go on to gdb (the pid may name another process by then).
const KILL_AND_FAIL = fakePyspy('kill-and-fail', 'kill -KILL "$pid"; echo "Error: Failed to find python version" >&2; exit 1');
// Hangs, with a double-forked grandchild (reparented, outside the tool's tree) that stops the target later.
const DOUBLE_FORK = fakePyspy('double-fork', '( (sleep 2; kill -STOP "$pid") & ) ; sleep 300');

async function notStopped(pid: number, within = 10_000): Promise<void> {
  const deadline = Date.now() + within;
  while (processState(pid) === 'T') {
    assert.ok(Date.now() < deadline, `process ${pid} was left stopped`);
    await delay(50);
  }
  // And it stays running (no stop still on its way).
  await delay(300);
  assert.notEqual(processState(pid), 'T', `process ${pid} stopped again`);
}

function alive(pid: number): boolean {
  return existsSync(`/proc/${pid}`) && processState(pid) !== 'Z';
}

async function toolEnded(fake: string, within: number): Promise<void> {
  const pid = Number(readFileSync(`${fake}.pid`, 'utf8'));
  const deadline = Date.now() + within;
  while (alive(pid)) {
    assert.ok(Date.now() < deadline, `the hung tool (pid ${pid}) is still running where it ran`);
    await delay(100);
  }
}

function dump(target: Target, pid: number, pyspy: string, timeoutMs = 20_000, signal?: AbortSignal): Promise<StackDump> {
  return dumpProcess({
    target,
    pid,
    backend: new PySpyBackend(async () => pyspy),
    mapper: new SourceMapper({ workspaceRoots: [PROGRAMS] }),
    timeoutMs,
    signal,
  });
}

async function sleeper(t: TestContext) {
  const p = await startProgram('sleeping_thread.py');
  t.after(() => p.stop());
  return p;
}

describe('a tool that stops the target, on this machine', () => {
  it('stops it and dies: the dump fails, says Snag resumed it, and the target runs', async (t) => {
    const p = await sleeper(t);
    await assert.rejects(dump(new LocalTarget(), p.pid, STOP_AND_DIE), (err: unknown) => {
      assert.ok(SnagError.is(err, 'tool-failed'), String(err));
      assert.match(errorMessage(err), /something broke.*Snag resumed it \(SIGCONT\)/);
      return true;
    });
    await notStopped(p.pid);
  });

  it('stops it and exits 0 as if nothing happened: the dump notes it and the target runs', async (t) => {
    const p = await sleeper(t);
    const d = await dump(new LocalTarget(), p.pid, STOP_AND_SUCCEED);
    assert.ok(
      d.notes?.some((n) => /left stopped by py-spy; Snag resumed it/.test(n)),
      JSON.stringify(d.notes),
    );
    await notStopped(p.pid);
  });

  it('stops it and hangs past the timeout: timed out, tool ended, target runs', async (t) => {
    const p = await sleeper(t);
    await assert.rejects(dump(new LocalTarget(), p.pid, STOP_AND_HANG, 1500), (err: unknown) => SnagError.is(err, 'timed-out'));
    await notStopped(p.pid);
    await toolEnded(STOP_AND_HANG, 5000);
  });

  it('stops it and is killed by SIGKILL: the target runs', async (t) => {
    const p = await sleeper(t);
    await assert.rejects(dump(new LocalTarget(), p.pid, STOP_AND_SIGKILL_SELF));
    await notStopped(p.pid);
  });

  it("a child the tool left behind cannot stop the target after the tool exited 0 (the tool's group ends with it)", async (t) => {
    const p = await sleeper(t);
    await dump(new LocalTarget(), p.pid, LATE_STOPPER);
    await delay(1200);
    assert.notEqual(processState(p.pid), 'T', 'stopped by what the tool left running');
  });

  it('the tool kills the target and fails: process-gone, and auto never tries gdb on that pid', async (t) => {
    const p = await sleeper(t);
    const gdbRan = join(dir, 'gdb-ran');
    const gdb = join(dir, 'fake-gdb');
    writeFileSync(gdb, `#!/bin/sh\ntouch '${gdbRan}'\nexit 1\n`);
    chmodSync(gdb, 0o755);
    const backend = chooseBackend('auto', new PySpyBackend(async () => KILL_AND_FAIL), new GdbBackend(async () => gdb));
    await assert.rejects(
      dumpProcess({ target: new LocalTarget(), pid: p.pid, backend, mapper: new SourceMapper({ workspaceRoots: [PROGRAMS] }) }),
      (err: unknown) => SnagError.is(err, 'process-gone'),
    );
    assert.equal(existsSync(gdbRan), false, 'gdb was started on a pid whose process had gone');
  });

  it('a target the user stopped before is left stopped, and said so', async (t) => {
    const p = await sleeper(t);
    process.kill(p.pid, 'SIGSTOP');
    try {
      const deadline = Date.now() + 5000;
      while (processState(p.pid) !== 'T' && Date.now() < deadline) await delay(20);
      const d = await dump(new LocalTarget(), p.pid, fakePyspy('plain', 'echo "[]"'));
      assert.ok(
        d.notes?.some((n) => /already stopped \(state T\) before the dump; Snag left it stopped/.test(n)),
        JSON.stringify(d.notes),
      );
      assert.equal(processState(p.pid), 'T');
    } finally {
      process.kill(p.pid, 'SIGCONT');
    }
  });
});

describe('a tool that stops the target, over ssh', () => {
  it('stops it and dies, or hangs past the timeout: resumed on the host, and the hung tool ended there', { timeout: 120_000 }, async (t) => {
    const sshd = await startSshd(t);
    if (!sshd) return;
    const p = await sleeper(t);
    const target = (pyspyPath: string) => {
      const s = new SshTarget({ host: sshd.host, configFile: sshd.clientConfig, controlDir: join(sshd.dir, `ctl-${pyspyPath.length}`), pyspyPath });
      t.after(() => s.runner.close());
      return s;
    };
    await assert.rejects(dump(target(STOP_AND_DIE), p.pid, STOP_AND_DIE), (err: unknown) => {
      assert.match(errorMessage(err), /Snag resumed it/);
      return true;
    });
    await notStopped(p.pid);
    const started = Date.now();
    // Said as on this machine: the reaper on the host resumed the target the tool had stopped.
    await assert.rejects(dump(target(STOP_AND_HANG), p.pid, STOP_AND_HANG, 1500), (err: unknown) => {
      assert.ok(SnagError.is(err, 'timed-out'), errorMessage(err));
      assert.match(errorMessage(err), new RegExp(`Process ${p.pid} was left stopped by py-spy; Snag resumed it \\(SIGCONT\\)`));
      return true;
    });
    assert.ok(Date.now() - started < 10_000, 'Snag gave up at its own timeout');
    // The host's limit (Snag's + 2 s) ends the tool there, and the guard resumes the target.
    await toolEnded(STOP_AND_HANG, 10_000);
    await notStopped(p.pid, 10_000);
  });

  it(
    'cancelled (Ctrl-C) while the tool hangs with the target stopped: ended on the host and resumed at once, not at the far limit',
    { timeout: 120_000 },
    async (t) => {
      const sshd = await startSshd(t);
      if (!sshd) return;
      const p = await sleeper(t);
      const target = new SshTarget({ host: sshd.host, configFile: sshd.clientConfig, controlDir: join(sshd.dir, 'ctl-cancel'), pyspyPath: STOP_AND_HANG });
      t.after(() => target.runner.close());
      const controller = new AbortController();
      const dumping = dumpProcess({
        target,
        pid: p.pid,
        backend: new PySpyBackend(async () => STOP_AND_HANG),
        mapper: new SourceMapper({ workspaceRoots: [PROGRAMS] }),
        timeoutMs: 60_000,
        signal: controller.signal,
      });
      const deadline = Date.now() + 20_000;
      while (processState(p.pid) !== 'T' && Date.now() < deadline) await delay(50);
      assert.equal(processState(p.pid), 'T', 'the fake tool stopped the target');
      const cancelledAt = Date.now();
      controller.abort();
      await assert.rejects(dumping, (err: unknown) => SnagError.is(err, 'cancelled'));
      // Far sooner than the far side's own limit (60 s + 2 s).
      await notStopped(p.pid, 5_000);
      await toolEnded(STOP_AND_HANG, 5_000);
      assert.ok(Date.now() - cancelledAt < 10_000, `took ${Date.now() - cancelledAt} ms`);
    },
  );

  it('cancelled while a double-forked grandchild waits to stop the target: the reaper ends it too', { timeout: 120_000 }, async (t) => {
    const sshd = await startSshd(t);
    if (!sshd) return;
    const p = await sleeper(t);
    const target = new SshTarget({ host: sshd.host, configFile: sshd.clientConfig, controlDir: join(sshd.dir, 'ctl-dfork'), pyspyPath: DOUBLE_FORK });
    t.after(() => target.runner.close());
    const controller = new AbortController();
    const dumping = dump(target, p.pid, DOUBLE_FORK, 60_000, controller.signal);
    const deadline = Date.now() + 20_000;
    while (!existsSync(`${DOUBLE_FORK}.pid`) && Date.now() < deadline) await delay(50);
    await delay(300);
    controller.abort();
    await assert.rejects(dumping, (err: unknown) => SnagError.is(err, 'cancelled'));
    // The grandchild would have stopped the target 2 s after it started.
    await delay(3000);
    assert.notEqual(processState(p.pid), 'T', 'stopped by the grandchild the reaper missed');
  });
});

/** The same misbehaving tool in Python, for minimal images (the test image has Python and nothing else). */
function fakePyspyPy(name: string): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    [
      '#!/usr/bin/python3',
      'import os, signal, sys, time',
      "pid = int(sys.argv[sys.argv.index('--pid') + 1])",
      'os.kill(pid, signal.SIGSTOP)',
      "if sys.argv[0].endswith('die'):",
      "    sys.stderr.write('Error: something broke\\n')",
      '    sys.exit(1)',
      'time.sleep(300)',
      '',
    ].join('\n'),
  );
  chmodSync(path, 0o755);
  return path;
}
fakePyspyPy('py-stop-and-die');
fakePyspyPy('py-stop-and-hang');

describe('a tool that stops the target, in a container', () => {
  let engineOrReason: EngineOrReason | undefined;
  let bare: TestContainer | undefined;
  let withSh: TestContainer | undefined;
  before(
    async () => {
      engineOrReason = await startDockerEngine();
      if ('unavailable' in engineOrReason) return;
      // One image with nothing but Python (the guard watches from the host), one with a POSIX sh
      // (the guard rides along inside the container; no `timeout` there, so the host ends a hung tool).
      // The target is not the container's PID 1: the kernel ignores SIGSTOP sent to a namespace's init
      // from inside it, and the misbehaving tool must be able to stop its target.
      const e = engineOrReason;
      const command = [e.python, '-c', 'import subprocess, sys; sys.exit(subprocess.call([sys.executable, "-u", "/app/sleeping_thread.py"]))'];
      [bare, withSh] = await Promise.all([
        runProgramContainer(e, 'sleeping_thread.py', { command, runArgs: ['-v', `${dir}:/fake:ro`] }),
        runProgramContainer(e, 'sleeping_thread.py', { command, runArgs: ['-v', `${dir}:/fake:ro`, '-v', '/bin/dash:/bin/sh:ro'] }),
      ]);
    },
    { timeout: 600_000 },
  );
  after(
    async () => {
      await bare?.remove();
      await withSh?.remove();
      if (engineOrReason && !('unavailable' in engineOrReason)) await engineOrReason.stop();
    },
    { timeout: 120_000 },
  );

  for (const which of ['without a shell', 'with a shell'] as const) {
    it(`${which}: the container's own (fake) py-spy stops it and dies, or hangs: resumed, and the hung tool ended`, { timeout: 120_000 }, async (t) => {
      if (!requireDocker(t, engineOrReason)) return;
      const c = which === 'with a shell' ? withSh! : bare!;
      const engine = new ContainerEngine('docker', new LocalTarget());
      const open = (fake: string) => ContainerTarget.open(engine, c.name, { strategy: 'exec', inContainerPyspy: `/fake/${fake}` });
      const procs = await (await open('py-stop-and-die')).listProcesses();
      const py = procs.find((p) => p.name === 'sleeping_thread.py' && p.pid !== 1);
      assert.ok(py?.hostPid, JSON.stringify(procs));
      await assert.rejects(dump(await open('py-stop-and-die'), py.pid, 'unused-locally'), (err: unknown) => {
        assert.match(errorMessage(err), /something broke.*Snag resumed it/);
        return true;
      });
      await notStopped(py.hostPid);
      await assert.rejects(dump(await open('py-stop-and-hang'), py.pid, 'unused-locally', 1500), (err: unknown) => SnagError.is(err, 'timed-out'));
      await notStopped(py.hostPid, 10_000);
      // Killing the engine's CLI does not end what it started inside the container: the guard does.
      const deadline = Date.now() + 10_000;
      const hostPid = py.hostPid;
      const leftover = () => hungTools(hostPid);
      while (leftover() && Date.now() < deadline) await delay(100);
      assert.equal(leftover(), '', 'the hung tool still runs in the container');
    });
  }
});

/** Processes in the container (by the target's PID namespace) running the hanging fake. */
function hungTools(hostPid: number): string {
  const ns = readlinkSync(`/proc/${hostPid}/ns/pid`);
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/ns/pid`) === ns && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('py-stop-and-hang');
      } catch {
        return false;
      }
    })
    .join(' ');
}
