// The gdb backend on an ssh host (a real sshd on 127.0.0.1): gdb runs there with the script on its
// command line, and the stopped-process check runs there too, through the same runner — also when
// the remote gdb is SIGKILLed while attaching.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { GdbBackend, gdbLocator } from '../../src/core/backends/gdb';
import { dumpProcess } from '../../src/core/pipeline/dumpProcess';
import { SnagError } from '../../src/core/errors';
import { SourceMapper } from '../../src/core/mapping/sourceMap';
import { SshTarget } from '../../src/core/targets/ssh';
import { killTracerWhileAttached, taskStates } from '../support/gdbDump';
import { hangLine, PROGRAMS } from '../support/programs';
import { absolutePython, startRemoteProgram, startSshd } from '../support/sshd';
import { requireTool } from '../support/tools';

const PROGRAM = 'gc_finalizer_c.py';

test('gdb backend on an ssh host', { timeout: 300_000 }, async (t) => {
  if (!requireTool(t, 'gdb', 'bash scripts/setup.sh core')) return;
  const sshd = await startSshd(t);
  if (!sshd) return;
  const dir = mkdtempSync(join(tmpdir(), 'snag-gdb-ssh-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const host = new SshTarget({
    host: sshd.host,
    configFile: sshd.clientConfig,
    controlDir: join(sshd.dir, 'ctl'),
    localPySpy: () => Promise.reject(new Error('not needed')),
  });
  t.after(async () => {
    await host.dispose();
    await host.runner.close();
  });
  const log = join(dir, 'program.log');
  const program = await startRemoteProgram(host.runner, absolutePython(), join(PROGRAMS, PROGRAM), log, ['--heartbeat']);
  t.after(program.stop);
  const ticks = () => [...readFileSync(log, 'utf8').matchAll(/^tick (\d+)$/gm)].length;
  const running = async () => {
    const from = ticks();
    const until = Date.now() + 20_000;
    while (ticks() < from + 3) {
      assert.ok(Date.now() < until, `no heartbeat; task states ${taskStates(program.pid).join('')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const backend = new GdbBackend(gdbLocator());
  const dump = (signal?: AbortSignal) =>
    dumpProcess({ target: host, pid: program.pid, backend, mapper: new SourceMapper({ workspaceRoots: [PROGRAMS] }), timeoutMs: 120_000, signal });

  await t.test('the remote gdb reads pause() under __del__, in order', async () => {
    const d = await dump();
    assert.equal(d.backend, 'gdb');
    assert.equal(d.method, 'py-bt', d.notes?.join('\n'));
    assert.equal(d.target?.kind, 'ssh');
    const frames = d.threads.find((x) => x.name === 'MainThread')!.frames;
    const del = frames.findIndex((f) => f.function === 'NativeHandle.__del__');
    assert.match(frames[0]!.function, /(^|_)pause$/);
    assert.ok(del > 0);
    assert.equal(frames[del]!.line, hangLine(PROGRAM, 'finalizer'));
    assert.ok(!taskStates(program.pid).includes('T'));
    await running();
  });

  await t.test('the remote gdb SIGKILLed while attaching: the check over ssh resumes the process', async () => {
    let resumed = 0;
    let landed = 0;
    for (let attempt = 0; landed < 4; attempt++) {
      assert.ok(attempt < 12, `the kill landed while gdb was attached in only ${landed} of ${attempt} tries`);
      const pending = dump();
      if (!(await killTracerWhileAttached(program.pid))) {
        await pending; // gdb was already done: nothing was killed
        continue;
      }
      landed++;
      await assert.rejects(pending, (err: unknown) => {
        assert.ok(SnagError.is(err, 'tool-failed'), String(err));
        assert.match((err as Error).message, /gdb was killed/);
        if (/Snag resumed it/.test((err as Error).message)) resumed++;
        return true;
      });
      assert.ok(!taskStates(program.pid).includes('T'), `left stopped: ${taskStates(program.pid).join('')}`);
      await running();
    }
    t.diagnostic(`${resumed} of 4 tries left the process stopped until Snag resumed it over ssh`);
  });
});
