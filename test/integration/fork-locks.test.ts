// Locks held by no thread of the process, on real programs under several pyenv Pythons: a child
// forked while another thread was inside `with cache_lock:` (its copy stays locked), and a
// multiprocessing lock the parent holds while it joins the child waiting for it. Dumps and sampling.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { hangLine } from '../support/programs';
import { requirePythons } from '../support/pythons';
import { dumpLocal } from '../support/snag';
import { requireTool } from '../support/tools';
import { dumpUntil, sampleLocal, start, stopAll, titles } from '../support/waitCases';

after(stopAll);
const MINORS = ['3.8', '3.11', '3.13'];
const childOf = (output: string) => Number(/^ready (\d+)/m.exec(output)![1]);

describe('locks inherited across fork, or held by another process', () => {
  it('a fork child waits for a lock another thread of the parent held at fork time', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    const versions = requirePythons(t, MINORS);
    if (!pyspy || !versions.length) return;
    const title = `MainThread waits to acquire cache_lock at fork_held_lock.py:${hangLine('fork_held_lock.py', 'child-acquire')} (lookup), held by no thread of this process: inherited locked across fork()`;
    for (const { version, python } of versions) {
      const p = await start('fork_held_lock.py', python);
      const child = childOf(p.output());
      const d = await dumpUntil(child, pyspy, (x) => x.findings[0]?.title === title);
      assert.equal(d.findings[0]?.title, title, `${version}: ${titles(d)}`);
      assert.equal(d.findings[0]!.kind, 'fork-inherited-lock');
      assert.match(d.findings[0]!.detail!, /called os\.fork\(\) at line \d+/);
      assert.match(d.findings[0]!.detail!, /spawn or forkserver/);
      // The parent's os.waitpid() is followed into the child; in the parent the lock has a holder (the refresher), so no fork finding of its own.
      const parent = await dumpLocal(p.pid, pyspy);
      assert.match(
        parent.findings[0]?.title ?? '',
        new RegExp(
          `^MainThread waits for child ${child} \\(python fork_held_lock\\.py\\), which waits to acquire cache_lock at fork_held_lock\\.py:\\d+ \\(lookup\\), held by no thread`,
        ),
        `${version}: ${titles(parent)}`,
      );
      assert.equal(parent.findings.filter((f) => f.kind === 'fork-inherited-lock').length, 0, titles(parent));
      const profile = await sampleLocal(child, pyspy);
      assert.equal(profile.threads[0]?.status, 'stuck', version);
      assert.ok(
        profile.findings?.some((f) => f.title === title),
        `${version} sampling: ${titles(profile)}`,
      );
      p.stop();
    }
  });

  it('a multiprocessing lock the parent holds while it joins the child that waits for it: both ends', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    const versions = requirePythons(t, MINORS);
    if (!pyspy || !versions.length) return;
    const line = hangLine('mp_lock_other_process.py', 'child-acquire');
    const inChild = `MainThread waits to acquire lock at mp_lock_other_process.py:${line} (record), a multiprocessing lock held by another process`;
    for (const { version, python } of versions) {
      const p = await start('mp_lock_other_process.py', python);
      const child = childOf(p.output());
      const cd = await dumpUntil(child, pyspy, (x) => x.findings[0]?.title === inChild);
      assert.equal(cd.findings[0]?.title, inChild, `${version}: ${titles(cd)}`);
      assert.equal(cd.findings[0]!.kind, 'process-lock-wait');
      // The parent's join is followed into the child and names its wait.
      const want = new RegExp(`^MainThread waits for child ${child} \\(.*\\), which waits to acquire lock at mp_lock_other_process\\.py:${line} \\(record\\)`);
      const d = await dumpUntil(p.pid, pyspy, (x) => want.test(x.findings[0]?.title ?? ''));
      assert.match(d.findings[0]?.title ?? '', want, `${version}: ${titles(d)}`);
      const profile = await sampleLocal(child, pyspy);
      assert.ok(
        profile.findings?.some((f) => f.kind === 'process-lock-wait'),
        `${version} sampling: ${titles(profile)}`,
      );
      p.stop();
    }
  });
});
