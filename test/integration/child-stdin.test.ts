// A child that reads its stdin to the end while the parent, holding the pipe's write end open,
// reads the child's output: on a real parent/child pair under two pyenv Pythons, the parent's wait
// is followed into the child, and both findings say the child's stdin is a pipe the parent never
// closed, with the fix (p.stdin.close(), communicate(input=…)).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { hangLine } from '../support/programs';
import { requirePythons } from '../support/pythons';
import { requireTool } from '../support/tools';
import { dumpUntil, start, stopAll, titles } from '../support/waitCases';

after(stopAll);

describe('a child reading the stdin its parent never closes', () => {
  it('the parent waits for the child, which reads its stdin from a pipe the parent holds open', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    const versions = requirePythons(t, ['3.9', '3.13'], 2);
    if (!pyspy || !versions.length) return;
    for (const { version, python } of versions) {
      const p = await start('stdin_pipe_parent.py', python);
      const child = Number(/ready (\d+)/.exec(p.output())![1]);
      const title = `MainThread waits for child ${child} (python stdin_filter_child.py), which reads its stdin from a pipe this process holds open (p.stdin not closed)`;
      const d = await dumpUntil(p.pid, pyspy, (x) => x.findings[0]?.title === title);
      assert.equal(d.findings[0]?.title, title, `${version}: ${titles(d)}`);
      const f = d.findings[0]!;
      assert.equal(f.severity, 'warning');
      assert.equal(f.frame?.line, hangLine('stdin_filter_child.py', 'stdin'), 'the finding points at the child’s read');
      assert.match(f.detail!, /MainThread waits at stdin_pipe_parent\.py:\d+ \(<module>\)/);
      assert.match(f.detail!, /Close it once the input is written \(p\.stdin\.close\(\)\), or pass the input with p\.communicate\(input=…\)/);
      const own = d.children?.find((c) => c.pid === child)?.findings[0];
      assert.equal(own?.kind, 'stdin-wait', version);
      assert.match(
        own?.title ?? '',
        /waits for input on stdin at stdin_filter_child\.py:\d+ \(<module>\), a pipe its parent holds open \(p\.stdin not closed\)$/,
      );
      p.stop();
    }
  });
});
