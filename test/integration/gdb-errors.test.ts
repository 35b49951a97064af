// gdb failures as users meet them, each produced for real: ptrace refused (gdb run as another user
// through a runner that drops privileges), a process that is gone, gdb missing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GdbBackend } from '../../src/core/backends/gdb';
import { SnagError } from '../../src/core/errors';
import { run } from '../../src/core/run';
import { LocalTarget } from '../../src/core/targets/local';
import type { Runner } from '../../src/core/runner';
import type { Target } from '../../src/core/targets/target';
import { dumpWithGdb, taskStates } from '../support/gdbDump';
import { startProgram } from '../support/programs';
import { ensureBuilt, isOneLine, runCli } from '../support/snag';
import { requireTool } from '../support/tools';

/** A target whose commands run as user nobody (as a runner rewrites argv for docker or ssh). */
function asNobody(setpriv: string): Target {
  const wrap = (argv: readonly string[]) => [setpriv, '--reuid=65534', '--regid=65534', '--clear-groups', ...argv];
  const runner: Runner = { run: (argv, opts) => run(wrap(argv), opts), wrap };
  return { ref: { kind: 'local', id: 'local', label: 'Local' }, runner, listProcesses: async () => [] };
}

describe('gdb backend: failures', () => {
  it('ptrace refused (gdb as another user) → permission-denied; the target is untouched', async (t) => {
    const gdb = requireTool(t, 'gdb', 'bash scripts/setup.sh core');
    const setpriv = requireTool(t, 'setpriv', 'apt-get install util-linux');
    if (!gdb || !setpriv) return;
    if (process.getuid?.() !== 0) return t.skip('needs root to own a process nobody may not trace');
    const prog = await startProgram('deadlock.py');
    t.after(() => prog.stop());
    await assert.rejects(dumpWithGdb(prog.pid, gdb, { target: asNobody(setpriv) }), (err: unknown) => {
      assert.ok(SnagError.is(err, 'permission-denied'), String(err));
      assert.match((err as Error).message, /ptrace: Operation not permitted/);
      assert.deepEqual((err as SnagError).fixes, ['ptrace-help']);
      return true;
    });
    assert.ok(!taskStates(prog.pid).includes('T'));
  });

  it('a process that is gone → process-gone', async (t) => {
    const gdb = requireTool(t, 'gdb', 'bash scripts/setup.sh core');
    if (!gdb) return;
    const prog = await startProgram('deadlock.py');
    prog.stop();
    await new Promise((r) => prog.child.once('exit', r));
    await assert.rejects(dumpWithGdb(prog.pid, gdb), (err: unknown) => SnagError.is(err, 'process-gone'));
  });

  it('gdb missing → tool-not-found with the install fix', async (t) => {
    const prog = await startProgram('deadlock.py');
    t.after(() => prog.stop());
    const backend = new GdbBackend(async () => '/nonexistent/gdb');
    await assert.rejects(backend.dump(new LocalTarget(), prog.pid, {}), (err: unknown) => {
      assert.ok(SnagError.is(err, 'tool-not-found'), String(err));
      assert.deepEqual((err as SnagError).fixes, ['install-gdb']);
      return true;
    });
    assert.ok(!taskStates(prog.pid).includes('T'));
  });

  it('CLI: --gdb pointing nowhere → exit 1 and one line', async (t) => {
    ensureBuilt();
    const prog = await startProgram('deadlock.py');
    t.after(() => prog.stop());
    const r = await runCli(['dump', String(prog.pid), '--backend', 'gdb', '--gdb', '/nonexistent/gdb']);
    assert.equal(r.code, 1);
    assert.ok(isOneLine(r.stderr), r.stderr);
    assert.match(r.stderr, /configured gdb path \/nonexistent\/gdb does not exist/);
  });
});
