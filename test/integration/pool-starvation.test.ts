// A thread pool starved by its own tasks, on a real program under two pyenv Pythons: every worker of
// a ThreadPoolExecutor runs a task waiting (concurrent.futures.wait) for futures queued in the same
// pool. One error names the pool and the fix, in a dump and in sampling; the workers' own waits are
// not reported again, and MainThread's wait for the pool points at it.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { hangLine } from '../support/programs';
import { requirePythons } from '../support/pythons';
import { requireTool } from '../support/tools';
import { dumpUntil, sampleLocal, start, stopAll, titles } from '../support/waitCases';

after(stopAll);

describe('pool starvation', () => {
  it('all workers of a ThreadPoolExecutor wait for futures of their own pool: an error, in a dump and in sampling', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    const versions = requirePythons(t, ['3.9', '3.13'], 2);
    if (!pyspy || !versions.length) return;
    const title = `pool starvation: all 3 workers of ThreadPoolExecutor-0 wait for futures of tasks queued in the same pool at pool_starvation.py:${hangLine('pool_starvation.py', 'wait')} (crawl)`;
    for (const { version, python } of versions) {
      const p = await start('pool_starvation.py', python);
      const d = await dumpUntil(p.pid, pyspy, (x) => x.findings[0]?.title === title);
      assert.equal(d.findings[0]?.title, title, `${version}: ${titles(d)}`);
      const f = d.findings[0]!;
      assert.deepEqual([f.severity, f.kind, f.threadIds?.length], ['error', 'pool-starvation', 3]);
      assert.match(f.detail!, /don't wait on the same pool from its tasks .*or raise max_workers/);
      const main = d.findings.find((x) => d.threads.find((th) => th.id === x.threadId)?.name === 'MainThread');
      assert.match(main?.detail ?? '', /The finding about them above is the cause/, titles(d));
      assert.equal(d.findings.length, 2, titles(d));

      const profile = await sampleLocal(p.pid, pyspy, 3);
      assert.ok(
        profile.findings?.some((x) => x.title === title && x.severity === 'error'),
        `${version}: ${profile.findings?.map((x) => x.title).join(' | ')}`,
      );
      p.stop();
    }
  });
});
