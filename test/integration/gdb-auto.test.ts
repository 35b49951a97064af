// "Auto": py-spy first, gdb when native frames were asked for and py-spy could not name them, or
// when py-spy cannot do the job at all. Real py-spy and real gdb against real programs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AutoBackend, unresolvedNativeThreads } from '../../src/core/backends/auto';
import { GdbBackend } from '../../src/core/backends/gdb';
import { PySpyBackend } from '../../src/core/backends/pyspy';
import { dumpProcess } from '../../src/core/pipeline/dumpProcess';
import { SnagError } from '../../src/core/errors';
import type { DumpOptions } from '../../src/core/model';
import { SourceMapper } from '../../src/core/mapping/sourceMap';
import { LocalTarget } from '../../src/core/targets/local';
import { findTool } from '../../src/core/tools';
import { taskStates } from '../support/gdbDump';
import { PROGRAMS, startProgram } from '../support/programs';
import { ensureBuilt, runCli } from '../support/snag';
import { requireTool } from '../support/tools';

function autoDump(pid: number, pyspy: string, gdb: string, o: DumpOptions) {
  return dumpProcess({
    target: new LocalTarget(),
    pid,
    backend: new AutoBackend(new PySpyBackend(async () => pyspy), new GdbBackend(async () => gdb)),
    mapper: new SourceMapper({ workspaceRoots: [PROGRAMS] }),
    timeoutMs: 120_000,
    ...o,
  });
}

describe('auto backend', () => {
  it('without --native: py-spy alone', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    const gdb = requireTool(t, 'gdb', 'bash scripts/setup.sh core');
    if (!pyspy || !gdb) return;
    const prog = await startProgram('deadlock.py');
    t.after(() => prog.stop());
    const d = await autoDump(prog.pid, pyspy, gdb, {});
    assert.equal(d.backend, 'py-spy');
  });

  it('--native where py-spy cannot name the lock wait: gdb, saying why', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    const gdb = requireTool(t, 'gdb', 'bash scripts/setup.sh core');
    if (!pyspy || !gdb) return;
    const prog = await startProgram('deadlock.py');
    t.after(() => prog.stop());
    // What py-spy alone makes of it decides what Auto must do.
    const alone = await new PySpyBackend(async () => pyspy).dump(new LocalTarget(), prog.pid, { native: true });
    const unnamed = unresolvedNativeThreads(alone);
    const d = await autoDump(prog.pid, pyspy, gdb, { native: true });
    if (unnamed.length === 0) {
      t.diagnostic('this py-spy named every innermost native frame; Auto kept its dump');
      assert.equal(d.backend, 'py-spy');
      return;
    }
    assert.equal(d.backend, 'gdb');
    assert.match(d.notes![0]!, /^py-spy could not name the innermost native frames of .*; read with gdb instead\.$/);
    const worker = d.threads.find((x) => x.name === 'worker-a')!;
    assert.ok(
      worker.frames.slice(0, 8).every((f) => !/^0x[0-9a-f]+$/.test(f.function)),
      worker.frames.map((f) => f.function).join(' | '),
    );
    assert.ok(!taskStates(prog.pid).includes('T'));
  });

  it('py-spy missing: its error, not a quiet switch to gdb (the fix is to install it)', async (t) => {
    const gdb = requireTool(t, 'gdb', 'bash scripts/setup.sh core');
    if (!gdb) return;
    const prog = await startProgram('deadlock.py');
    t.after(() => prog.stop());
    const missing = () => findTool('py-spy', { configured: '/nonexistent/py-spy' });
    const backend = new AutoBackend(new PySpyBackend(missing), new GdbBackend(async () => gdb));
    await assert.rejects(
      backend.dump(new LocalTarget(), prog.pid, { native: true }),
      (err: unknown) => SnagError.is(err, 'tool-not-found') && /py-spy/.test((err as Error).message),
    );
  });

  it('CLI default (auto) with --native and the real tools', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    const gdb = requireTool(t, 'gdb', 'bash scripts/setup.sh core');
    if (!pyspy || !gdb) return;
    ensureBuilt();
    const prog = await startProgram('sleeping_thread.py');
    t.after(() => prog.stop());
    const r = await runCli(['dump', String(prog.pid), '--native', '--json', '--pyspy', pyspy, '--gdb', gdb, '--root', PROGRAMS]);
    assert.equal(r.code, 0, r.stderr);
    const d = JSON.parse(r.stdout) as { backend: string; threads: { name: string; frames: { function: string; native: boolean }[] }[] };
    const sleeper = d.threads.find((x) => x.name === 'sleeper')!;
    // Whichever backend Auto took, the sleeper's innermost native frame has a name.
    assert.match(sleeper.frames[0]!.function, /nanosleep/, `${d.backend}: ${sleeper.frames.map((f) => f.function).join(' | ')}`);
  });
});
