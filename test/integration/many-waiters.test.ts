// 200 threads, each 20 frames deep, blocked on one lock MainThread holds, dumped with the real
// py-spy: one finding for the group naming the lock and its holder, and a text dump that reaches
// the first stack at once instead of after hundreds of near-identical findings.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TITLE_MAX } from '../../src/core/findings/groups';
import { hangLine, startProgram, type Started } from '../support/programs';
import { dumpLocal, ensureBuilt, runCli } from '../support/snag';
import { requireTool } from '../support/tools';

const THREADS = 200;
const waiterLine = () => hangLine('many_waiters.py', 'waiter');

describe('core: 200 threads waiting for one lock', () => {
  let held: Started;
  let hidden: Started;
  before(async () => {
    ensureBuilt();
    [held, hidden] = await Promise.all([
      startProgram('many_waiters.py', [String(THREADS), '20', 'with']),
      startProgram('many_waiters.py', [String(THREADS), '20', 'hidden']),
    ]);
  });
  after(() => {
    held?.stop();
    hidden?.stop();
  });

  it('one grouped finding first, naming the lock and MainThread as its holder, with a short title', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    const d = await dumpLocal(held.pid, pyspy);
    assert.equal(d.threads.length, THREADS + 1);
    const [first, ...rest] = d.findings;
    assert.equal(first!.kind, 'lock-wait');
    assert.match(
      first!.title,
      new RegExp(
        `^${THREADS} threads \\(worker-\\d+, worker-\\d+, worker-\\d+ and ${THREADS - 3} more\\) wait to acquire work_lock at many_waiters\\.py:${waiterLine()} \\(descend\\), held by MainThread$`,
      ),
    );
    assert.ok(first!.title.length <= TITLE_MAX, `${first!.title.length} characters`);
    assert.equal(first!.threadIds?.length, THREADS);
    assert.match(first!.detail!, /MainThread entered `with work_lock:`/);
    assert.deepEqual(
      rest.map((f) => f.kind),
      ['sleep'],
      "then MainThread's own wait, and nothing per worker",
    );
  });

  it('a holder no stack shows (work_lock.acquire() in a call that returned): one finding, no holder named, no possible deadlock', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    const d = await dumpLocal(hidden.pid, pyspy);
    const locks = d.findings.filter((f) => f.kind === 'lock-wait' || f.kind === 'deadlock');
    assert.equal(locks.length, 1, locks.map((f) => f.title).join('\n'));
    assert.match(locks[0]!.title, new RegExp(`^${THREADS} threads \\(.*\\) wait to acquire work_lock at many_waiters\\.py:${waiterLine()} \\(descend\\)$`));
    assert.match(locks[0]!.detail!, /Which thread holds work_lock is not visible/);
  });

  it('the CLI text shows the group once: the first stack within 40 lines', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    const r = await runCli(['dump', String(held.pid), '--pyspy', pyspy]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    const firstStack = lines.findIndex((l) => /^Thread \d+ /.test(l) || /^\d+ threads \(/.test(l));
    assert.ok(firstStack >= 0 && firstStack < 40, `first stack at line ${firstStack + 1}:\n${lines.slice(0, 45).join('\n')}`);
    assert.ok(lines.length < 100, `${lines.length} lines`);
    assert.match(r.stdout, new RegExp(`^${THREADS} threads \\(idle\\), one stack: "worker-\\d+", .* and \\d+ more$`, 'm'));
    assert.equal(lines.filter((l) => /^(warning|info|error): /.test(l)).length, 2);
  });
});
