// Failures through the built CLI: exit code 1 and one actionable line on stderr.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { SnagError } from '../../src/core/errors';
import { processState, startProgram } from '../support/programs';
import { dumpLocal, ensureBuilt, isOneLine, runCli } from '../support/snag';
import { requireTool } from '../support/tools';

/** The pid of a process that has exited and been reaped. */
async function gonePid(): Promise<number> {
  const p = spawn('true', { stdio: 'ignore' });
  await new Promise((r) => p.once('exit', r));
  return p.pid!;
}

describe('core: failures', () => {
  let sleeper: ReturnType<typeof spawn>;
  before(async () => {
    ensureBuilt();
    sleeper = spawn('sleep', ['300'], { stdio: 'ignore' });
    await new Promise((r) => sleeper.once('spawn', r));
  });
  after(() => {
    try {
      process.kill(sleeper.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  });

  it('a process that is gone: exit 1, one line', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    const pid = await gonePid();
    assert.equal(processState(pid), undefined);
    const r = await runCli(['dump', String(pid), '--pyspy', pyspy]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.ok(isOneLine(r.stderr), JSON.stringify(r.stderr));
    assert.equal(r.stderr, `snag: Process ${pid} is not running (it has exited, or there is no such process).\n`);
  });

  it('a process that is not Python: exit 1, one line that says what to do', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    const r = await runCli(['dump', String(sleeper.pid), '--json', '--pyspy', pyspy]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '', 'no partial JSON');
    assert.ok(isOneLine(r.stderr), JSON.stringify(r.stderr));
    assert.match(
      r.stderr,
      new RegExp(`^snag: Process ${sleeper.pid} is not running a Python interpreter py-spy can read .*dump its Python child instead\\)\\.\\n$`),
    );
  });

  it('a process another debugger traces: says which one, not "permission denied"', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    const gdb = requireTool(t, 'gdb');
    if (!pyspy || !gdb) return;
    const prog = await startProgram('socket_recv.py');
    t.after(() => prog.stop());
    // gdb attached and waiting in a shell command: the process is traced until the sleep ends.
    const holder = spawn(gdb, ['-nx', '-q', '-batch', '-p', String(prog.pid), '-ex', 'shell sleep 60'], { stdio: 'ignore' });
    t.after(() => holder.kill('SIGKILL'));
    const deadline = Date.now() + 20_000;
    while (!/^TracerPid:\s*[1-9]/m.test(readFileSync(`/proc/${prog.pid}/status`, 'utf8'))) {
      assert.ok(Date.now() < deadline, 'gdb never attached');
      await new Promise((r) => setTimeout(r, 100));
    }
    const r = await runCli(['dump', String(prog.pid), '--pyspy', pyspy, '--backend', 'py-spy']);
    assert.equal(r.code, 1);
    assert.ok(isOneLine(r.stderr), JSON.stringify(r.stderr));
    assert.match(
      r.stderr,
      new RegExp(`^snag: Process ${prog.pid} is already being traced by gdb \\(pid ${holder.pid}\\), and only one debugger can attach at a time`),
    );
    // gdb's sleep ends, gdb detaches, the process runs on.
    for (const child of readFileSync(`/proc/${holder.pid}/task/${holder.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean))
      process.kill(Number(child), 'SIGKILL');
    await new Promise((res) => holder.once('exit', res));
    const until = Date.now() + 10_000;
    while (processState(prog.pid) === 't' || processState(prog.pid) === 'T') {
      assert.ok(Date.now() < until, `left ${processState(prog.pid)}`);
      await new Promise((res) => setTimeout(res, 100));
    }
  });

  it('in process, the same failures are SnagErrors with a reason and fixes', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    await assert.rejects(dumpLocal(sleeper.pid!, pyspy), (e: unknown) => SnagError.is(e, 'not-python') && e.fixes.includes('refresh-processes'));
    await assert.rejects(dumpLocal(await gonePid(), pyspy), (e: unknown) => SnagError.is(e, 'process-gone'));
  });

  it('py-spy missing at the configured path: exit 1, one line', async () => {
    const r = await runCli(['dump', String(sleeper.pid), '--pyspy', '/nonexistent/py-spy']);
    assert.equal(r.code, 1);
    assert.ok(isOneLine(r.stderr), JSON.stringify(r.stderr));
    assert.match(r.stderr, /^snag: The configured py-spy path \/nonexistent\/py-spy does not exist/);
  });

  it('a usage error: exit 2, one line', async () => {
    const r = await runCli(['dump', 'not-a-pid']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^snag: dump needs a process id, got "not-a-pid": decimal digits only; process ids .*go from 1 to \d+.*\.\n$/);
  });
});
