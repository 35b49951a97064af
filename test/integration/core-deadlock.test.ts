// Two threads deadlocked on locks, dumped with the real py-spy.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hangLine, PROGRAMS, startProgram, type Started } from '../support/programs';
import { dumpLocal, ensureBuilt, runCli } from '../support/snag';
import { requireTool } from '../support/tools';

const FIXTURE = join(PROGRAMS, 'deadlock.py');

describe('core: two threads deadlocked on locks', () => {
  let prog: Started;
  before(async () => {
    ensureBuilt();
    prog = await startProgram('deadlock.py');
  });
  after(() => prog?.stop());

  it('shows worker-a and worker-b at their lock lines and MainThread in join', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    const d = await dumpLocal(prog.pid, pyspy);
    const at = (name: string) => {
      const th = d.threads.find((x) => x.name === name);
      assert.ok(th, `no thread ${name}`);
      const f = th.frames.find((x) => x.isUserCode)!;
      return { fn: f.function, line: f.line, localFile: f.localFile, innermost: th.frames[0] === f, idle: !th.active };
    };
    assert.deepEqual(at('worker-a'), { fn: 'transfer_a_to_b', line: hangLine('deadlock.py', 'a-waits-b'), localFile: FIXTURE, innermost: true, idle: true });
    assert.deepEqual(at('worker-b'), { fn: 'transfer_b_to_a', line: hangLine('deadlock.py', 'b-waits-a'), localFile: FIXTURE, innermost: true, idle: true });
    assert.equal(at('MainThread').line, hangLine('deadlock.py', 'join'));
  });

  it('finds the deadlock, naming both threads, and the join that waits on it', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    const d = await dumpLocal(prog.pid, pyspy);
    const a = hangLine('deadlock.py', 'a-waits-b');
    const b = hangLine('deadlock.py', 'b-waits-a');
    const byThread = (name: string) => d.findings.filter((f) => f.threadId === d.threads.find((x) => x.name === name)!.id);
    assert.deepEqual(
      byThread('worker-a').map((f) => [f.severity, f.kind, f.title]),
      [['error', 'deadlock', `worker-a waits for lock_b at deadlock.py:${a} (transfer_a_to_b), held by worker-b: a deadlock`]],
    );
    assert.deepEqual(
      byThread('worker-b').map((f) => [f.severity, f.kind, f.title]),
      [['error', 'deadlock', `worker-b waits for lock_a at deadlock.py:${b} (transfer_b_to_a), held by worker-a: a deadlock`]],
    );
    assert.deepEqual(
      byThread('MainThread').map((f) => f.kind),
      ['join-wait'],
    );
    assert.equal(d.findings.length, 3);
    assert.deepEqual(
      d.findings.map((f) => f.severity),
      ['error', 'error', 'info'],
    );
    assert.equal(byThread('worker-a')[0]!.frame?.localFile, FIXTURE);
  });

  it('--native: the same findings, with the lock acquisition visible', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    const d = await dumpLocal(prog.pid, pyspy, { native: true });
    const workerA = d.threads.find((x) => x.name === 'worker-a')!;
    assert.ok(
      workerA.frames.some((f) => f.native && /acquire/.test(f.function)),
      workerA.frames.map((f) => f.function).join(' '),
    );
    assert.deepEqual(d.findings.map((f) => f.kind).sort(), ['deadlock', 'deadlock', 'join-wait']);
  });

  it('through the CLI (JSON)', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    const r = await runCli(['dump', String(prog.pid), '--json', '--pyspy', pyspy]);
    assert.equal(r.code, 0, r.stderr);
    const d = JSON.parse(r.stdout);
    assert.deepEqual(d.findings.filter((f: { kind: string }) => f.kind === 'deadlock').length, 2);
  });
});
