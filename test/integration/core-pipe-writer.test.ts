// A thread blocked writing to a pipe is never paused: pausing it (ptrace) would cut the write
// short and the program would lose output. Dumps and sampling read it without pausing and say so;
// gdb refuses. Proved on a real child writing 1 MB to a pipe its parent reads 4 s later.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { startProgram } from '../support/programs';
import { ensureBuilt, runCli } from '../support/snag';
import { requireTool } from '../support/tools';

async function childOf(output: () => string): Promise<number> {
  return Number(/child=(\d+)/.exec(output())![1]);
}

async function readBytes(output: () => string): Promise<number> {
  const deadline = Date.now() + 20_000;
  while (!/read (\d+) bytes/.test(output())) {
    assert.ok(Date.now() < deadline, `the parent never read: ${output()}`);
    await delay(100);
  }
  return Number(/read (\d+) bytes/.exec(output())![1]);
}

describe('core: a thread blocked writing to a pipe', () => {
  it('dump and sample read it without pausing, say so, and the parent still gets all 1,000,000 bytes', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    ensureBuilt();
    const p = await startProgram('pipe_writer.py', ['4']);
    t.after(() => p.stop());
    const child = await childOf(p.output);
    await delay(300); // the child fills the pipe and blocks
    const d = await runCli(['dump', String(child), '--json', '--pyspy', pyspy]);
    assert.equal(d.code, 0, d.stderr);
    const notes = (JSON.parse(d.stdout) as { notes?: string[] }).notes ?? [];
    assert.ok(
      notes.some((n) => /Read without pausing the process: thread \d+ is blocked writing to a pipe/.test(n)),
      JSON.stringify(notes),
    );
    const s = await runCli(['sample', String(child), '--duration', '1', '--pyspy', pyspy]);
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, /note: (Read|Sampled) without pausing the process/);
    assert.equal(await readBytes(p.output), 1_000_000, 'nothing the child wrote was lost');
  });

  it('with native frames too: read without pausing (the native frames left out, said so), nothing lost', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    ensureBuilt();
    const p = await startProgram('pipe_writer.py', ['4']);
    t.after(() => p.stop());
    const child = await childOf(p.output);
    await delay(300);
    const d = await runCli(['dump', String(child), '--native', '--json', '--pyspy', pyspy]);
    assert.equal(d.code, 0, d.stderr);
    const notes = (JSON.parse(d.stdout) as { notes?: string[] }).notes ?? [];
    assert.ok(
      notes.some((n) => /Native frames are left out/.test(n)),
      JSON.stringify(notes),
    );
    const s = await runCli(['sample', String(child), '--duration', '1', '--native', '--pyspy', pyspy]);
    assert.equal(s.code, 0, s.stderr);
    assert.equal(await readBytes(p.output), 1_000_000, 'nothing the child wrote was lost');
  });

  it('gdb refuses to attach, and says why', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    const gdb = requireTool(t, 'gdb');
    if (!pyspy || !gdb) return;
    const p = await startProgram('pipe_writer.py', ['3']);
    t.after(() => p.stop());
    const child = await childOf(p.output);
    await delay(300);
    const r = await runCli(['dump', String(child), '--backend', 'gdb', '--gdb', gdb]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^snag: Thread \d+ of process \d+ is blocked writing to a pipe\. gdb would have to pause it/);
    assert.equal(await readBytes(p.output), 1_000_000);
  });
});
