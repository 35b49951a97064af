// Locks taken from a container by an index (`with self._locks[source]:` in one thread,
// `with self._locks[dest]:` in another), on a real deadlocked program under two pyenv Pythons: the
// indexes' values in the locals (the dump's, or the rules' own second read) make the two names one
// lock, so the cycle is found and called a deadlock. Stacks with no locals to read say the holder
// may be the thread inside `with` the same container, not that no thread is inside the `with`.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { diagnose } from '../../src/core/findings/diagnose';
import { hangLine } from '../support/programs';
import { requirePythons } from '../support/pythons';
import { requireTool } from '../support/tools';
import { dumpUntil, start, stopAll, titles } from '../support/waitCases';

after(stopAll);

const line = () => hangLine('sharded_lock_cycle.py', 'dest');

describe('locks chosen by an index', () => {
  it('a lock cycle through self._locks[source] / self._locks[dest] is a deadlock, with and without --locals', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    const versions = requirePythons(t, ['3.8', '3.10', '3.13'], 2);
    if (!pyspy || !versions.length) return;
    // py-spy names the method `move` before 3.11, `ShardedStore.move` from 3.11 on.
    const title = (a: string, b: string) => `${a} waits for self._locks[dest] at sharded_lock_cycle.py:${line()} (move), held by ${b}: a deadlock`;
    const want = [title('mover-1-3', 'mover-3-1'), title('mover-3-1', 'mover-1-3')];
    const plain = (s: string) => s.replace('(ShardedStore.move)', '(move)');
    for (const { version, python } of versions) {
      const p = await start('sharded_lock_cycle.py', python);
      for (const locals of [false, true]) {
        const d = await dumpUntil(p.pid, pyspy, (x) => x.findings.filter((f) => f.kind === 'deadlock').length === 2, { locals });
        const deadlocks = d.findings.filter((f) => f.kind === 'deadlock');
        assert.deepEqual(deadlocks.map((f) => plain(f.title)).sort(), want, `${version} locals=${locals}: ${titles(d)}`);
        assert.ok(deadlocks.every((f) => f.severity === 'error'));
        assert.match(
          deadlocks[0]!.detail!,
          /mover-1-3 holds self\._locks\[source\] \(self\._locks\[1\]\) \(line \d+\) and waits for self\._locks\[dest\] \(self\._locks\[3\]\)/,
        );

        if (locals) continue;
        // The same stacks with nothing to read the indexes from (an opened dump): no cycle can be
        // proved, but the holder is not said to be missing.
        const bare = await diagnose({ threads: d.threads });
        const top = bare[0]!;
        assert.equal(top.kind, 'deadlock', `${version}: ${titles({ findings: bare })}`);
        assert.match(top.title, /: a possible deadlock$/);
        assert.match(top.detail!, /Each holds a lock of self\._locks and waits for another by an index the stacks do not show/);
        assert.match(top.detail!, /snag dump --locals/);
        assert.ok(!bare.some((f) => /no thread in this dump runs inside/.test(f.detail ?? '')), titles({ findings: bare }));
      }
      p.stop();
    }
  });
});
