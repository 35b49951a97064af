// asyncio tasks deadlocked on two asyncio.Locks taken in opposite orders, on a real program under
// two pyenv Pythons: the dump's top finding is a deadlock naming both tasks and the locks each holds
// and waits for (read from the tasks' source), ahead of the idle loop.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { hangLine } from '../support/programs';
import { requirePythons } from '../support/pythons';
import { requireTool } from '../support/tools';
import { dumpUntil, start, stopAll, titles } from '../support/waitCases';

after(stopAll);

describe('asyncio: a lock cycle between tasks', () => {
  it('two tasks each holding one asyncio.Lock and waiting for the other: a deadlock warning naming both', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    const versions = requirePythons(t, ['3.8', '3.12'], 2);
    if (!pyspy || !versions.length) return;
    const put = hangLine('asyncio_lock_cycle.py', 'put');
    const evict = hangLine('asyncio_lock_cycle.py', 'evict');
    for (const { version, python } of versions) {
      const p = await start('asyncio_lock_cycle.py', python);
      const d = await dumpUntil(p.pid, pyspy, (x) => x.findings[0]?.kind === 'asyncio-deadlock');
      const f = d.findings[0]!;
      assert.equal(f.kind, 'asyncio-deadlock', `${version}: ${titles(d)}`);
      assert.equal(f.severity, 'warning');
      // py-spy and the reader name methods `put` before 3.11, `Cache.put` from 3.11 on.
      assert.match(
        f.title,
        new RegExp(
          `^writer \\(put\\) and evictor \\(evict\\) wait for asyncio locks the other holds: a deadlock at asyncio_lock_cycle\\.py:${put} in (Cache\\.)?put$`,
        ),
        version,
      );
      assert.match(f.detail!, new RegExp(`writer holds self\\.index_lock \\(line \\d+\\) and waits for self\\.store_lock at asyncio_lock_cycle\\.py:${put}`));
      assert.match(
        f.detail!,
        new RegExp(`evictor holds self\\.store_lock \\(line \\d+\\) and waits for self\\.index_lock at asyncio_lock_cycle\\.py:${evict}`),
      );
      assert.equal(d.findings[1]?.kind, 'asyncio-idle', titles(d));
      p.stop();
    }
  });
});
