// The target is never left stopped: gdb SIGKILLed in the middle of attaching, a dump cancelled
// or timed out while gdb is attached. A debugger that dies between PTRACE_ATTACH and handling its
// SIGSTOP leaves the process in state T; Snag checks afterwards and sends SIGCONT.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it, type TestContext } from 'node:test';
import { resumeIfStopped } from '../../src/core/guard/runGuarded';
import { SnagError } from '../../src/core/errors';
import { dumpWithGdb, killTracerWhileAttached, lastTick, taskStates, ticksAdvance, tracerPid } from '../support/gdbDump';
import { PYTHON, startProgram, type Started } from '../support/programs';
import { CLI, ensureBuilt } from '../support/snag';
import { requireTool } from '../support/tools';

async function heartbeatProgram(t: TestContext, python = PYTHON): Promise<Started> {
  const prog = await startProgram('gc_finalizer_c.py', ['--heartbeat'], { python, readyTimeoutMs: 30_000 });
  t.after(() => prog.stop());
  return prog;
}

/** Calls act(tracer) as soon as something ptrace-attaches to pid (gdb, in the middle of attaching). */
async function onAttach(pid: number, act: (tracer: number) => void, timeoutMs = 60_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const tracer = tracerPid(pid);
    if (tracer) {
      act(tracer);
      return tracer;
    }
    if (Date.now() > until) throw new Error(`nothing attached to ${pid}`);
    await new Promise((r) => setImmediate(r));
  }
}

describe('gdb backend: the target keeps running', () => {
  it('gdb SIGKILLed while attaching: Snag reports it and the target runs on (several tries)', async (t) => {
    const gdb = requireTool(t, 'gdb', 'bash scripts/setup.sh core');
    if (!gdb) return;
    const prog = await heartbeatProgram(t);
    let resumed = 0;
    let landed = 0;
    for (let attempt = 0; landed < 6; attempt++) {
      assert.ok(attempt < 18, `the kill landed while gdb was attached in only ${landed} of ${attempt} tries`);
      const dump = dumpWithGdb(prog.pid, gdb);
      if (!(await killTracerWhileAttached(prog.pid))) {
        await dump; // gdb was already done: nothing was killed
        continue;
      }
      landed++;
      await assert.rejects(dump, (err: unknown) => {
        assert.ok(SnagError.is(err, 'tool-failed'), String(err));
        assert.match((err as Error).message, /gdb was killed by SIGKILL while reading process/);
        if (/Snag resumed it/.test((err as Error).message)) resumed++;
        return true;
      });
      assert.ok(!taskStates(prog.pid).includes('T'), `left stopped: ${taskStates(prog.pid).join('')}`);
      await ticksAdvance(prog, lastTick(prog));
    }
    // How often the kill landed before gdb handled its SIGSTOP (the case that needs SIGCONT).
    t.diagnostic(`${resumed} of 6 tries left the target stopped until Snag resumed it`);
  });

  it('cancelled while gdb is attached: the dump is cancelled and the target runs on', async (t) => {
    const gdb = requireTool(t, 'gdb', 'bash scripts/setup.sh core');
    if (!gdb) return;
    const prog = await heartbeatProgram(t);
    const controller = new AbortController();
    const dump = dumpWithGdb(prog.pid, gdb, { signal: controller.signal });
    await onAttach(prog.pid, () => controller.abort());
    await assert.rejects(dump, (err: unknown) => SnagError.is(err, 'cancelled'));
    assert.ok(!taskStates(prog.pid).includes('T'));
    await ticksAdvance(prog, lastTick(prog));
  });

  it('timed out while gdb loads debug info (Debian python3.11 + python3.11-dbg): the target runs on', async (t) => {
    const gdb = requireTool(t, 'gdb', 'bash scripts/setup.sh core');
    const python = requireTool(t, 'python3.11', 'bash scripts/setup.sh core', ['/usr/bin']);
    if (!gdb || !python) return;
    if (!existsSync('/usr/lib/debug/.build-id')) return t.skip('no separate debug info installed');
    const prog = await heartbeatProgram(t, python);
    const dump = dumpWithGdb(prog.pid, gdb, { timeoutMs: 1000 });
    // Attaching happens at once; reading the interpreter's debug info takes seconds.
    await onAttach(prog.pid, () => undefined, 10_000).catch(() => undefined);
    await assert.rejects(dump, (err: unknown) => SnagError.is(err, 'timed-out'));
    assert.ok(!taskStates(prog.pid).includes('T'));
    await ticksAdvance(prog, lastTick(prog));
  });

  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`the snag CLI itself gets ${signal} while gdb is attached: the target runs on`, async (t) => {
      const gdb = requireTool(t, 'gdb', 'bash scripts/setup.sh core');
      if (!gdb) return;
      ensureBuilt();
      const prog = await heartbeatProgram(t);
      // SIGTERM: the CLI cancels (gdb's group is killed) and checks the target before exiting.
      // SIGKILL: the CLI cannot do anything, but gdb runs in its own group and detaches itself.
      const cli = spawn(process.execPath, [CLI, 'dump', String(prog.pid), '--backend', 'gdb', '--gdb', gdb], { stdio: 'ignore' });
      t.after(() => cli.kill('SIGKILL'));
      const exited = new Promise((r) => cli.once('exit', r));
      await onAttach(prog.pid, () => cli.kill(signal));
      await exited;
      const until = Date.now() + 60_000;
      while (tracerPid(prog.pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      assert.equal(tracerPid(prog.pid), 0, 'gdb let go of the target');
      assert.ok(!taskStates(prog.pid).includes('T'), `left stopped: ${taskStates(prog.pid).join('')}`);
      await ticksAdvance(prog, lastTick(prog));
    });
  }

  it('the guard: SIGCONT for a process left stopped; nothing for a running one; "gone" for an exited one', async (t) => {
    const prog = await heartbeatProgram(t);
    assert.equal(await resumeIfStopped({ kind: 'local', pid: prog.pid }), 'running');
    process.kill(prog.pid, 'SIGSTOP');
    const until = Date.now() + 10_000;
    while (!taskStates(prog.pid).includes('T') && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    assert.ok(taskStates(prog.pid).includes('T'));
    assert.equal(await resumeIfStopped({ kind: 'local', pid: prog.pid }), 'resumed');
    await ticksAdvance(prog, lastTick(prog));
    prog.stop();
    await new Promise((r) => prog.child.once('exit', r));
    assert.equal(await resumeIfStopped({ kind: 'local', pid: prog.pid }), 'gone');
  });

  it('a process the user stopped before the dump is left stopped', async (t) => {
    const gdb = requireTool(t, 'gdb', 'bash scripts/setup.sh core');
    if (!gdb) return;
    const prog = await heartbeatProgram(t);
    process.kill(prog.pid, 'SIGSTOP');
    const until = Date.now() + 10_000;
    while (!taskStates(prog.pid).includes('T') && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    const d = await dumpWithGdb(prog.pid, gdb);
    assert.ok(
      d.notes?.some((n) => /already stopped \(state T\) before the dump; Snag left it stopped/.test(n)),
      d.notes?.join('\n'),
    );
    assert.ok(taskStates(prog.pid).includes('T'));
    process.kill(prog.pid, 'SIGCONT');
  });
});
