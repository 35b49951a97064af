// Poll loops on real programs: a short wait repeated by a loop that does nothing else is said as
// what it polls for, in dumps and in sampling (stuck, not idle), while a thread waiting for its stop
// flag or doing work each round stays at rest.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { hangLine } from '../support/programs';
import { requirePythons } from '../support/pythons';
import { requireTool } from '../support/tools';
import { dumpUntil, sampleLocal, start, stopAll, titles } from '../support/waitCases';

after(stopAll);

const P = 'poll_loops.py';

describe('poll loops', () => {
  it('dumps name the condition; sampling calls the pollers stuck and the rest idle', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    const versions = requirePythons(t, ['3.8', '3.12'], 2);
    if (!pyspy || !versions.length) return;
    const main = `MainThread polls every 0.05 s until \`os.environ.get("SNAG_NEVER_SET")\` at ${P}:${hangLine(P, 'main')} (<module>)`;
    const unlock = `unlocker polls every 0.2 s while \`os.path.exists(path)\` at ${P}:${hangLine(P, 'unlock')} (wait_for_unlock)`;
    for (const { version, python } of versions) {
      const p = await start(P, python);
      const d = await dumpUntil(p.pid, pyspy, (x) => [main, unlock].every((w) => x.findings.some((f) => f.title === w)));
      for (const w of [main, unlock])
        assert.ok(
          d.findings.some((f) => f.title === w),
          `${version}: ${titles(d)}`,
        );
      const profile = await sampleLocal(p.pid, pyspy, 5);
      const status = Object.fromEntries(profile.threads.map((x) => [x.name, x.status]));
      const phrase = Object.fromEntries(profile.threads.map((x) => [x.name, x.wait?.phrase ?? '']));
      const why = `${version}: ${JSON.stringify(profile.threads.map((x) => [x.name, x.status, x.wait?.phrase]))}`;
      // The pollers stand still for the whole run: stuck, and said as what they poll for.
      for (const name of ['MainThread', 'unlocker', 'jobs']) assert.equal(status[name], 'stuck', why);
      assert.match(phrase.jobs!, /^polls every 0\.1 s: waits for a queue/, why);
      assert.match(phrase.unlocker!, /^polls every 0\.2 s while `os\.path\.exists\(path\)`/, why);
      // At rest: waiting for its stop flag, and a loop that works each round.
      assert.equal(status.metrics, 'idle', why);
      assert.match(phrase.metrics!, /^waits for its stop flag/, why);
      assert.notEqual(status.reporter, 'stuck', why);
      p.stop();
    }
  });
});
