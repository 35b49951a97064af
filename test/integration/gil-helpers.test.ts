// Threads that run but cannot, and library helpers at rest, on real programs under several pyenv
// Pythons: a heartbeat starved of the GIL by a regular expression that never releases it (a
// --native dump tells), and a pool's and an executor's helper threads, idle between jobs in
// dumps as in sampling.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { hangLine } from '../support/programs';
import { requirePythons } from '../support/pythons';
import { dumpLocal } from '../support/snag';
import { requireTool } from '../support/tools';
import { dumpUntil, sampleLocal, start, stopAll, titles } from '../support/waitCases';

after(stopAll);
const MINORS = ['3.8', '3.11', '3.13'];

describe('GIL starvation and helpers at rest', () => {
  it('--native: the heartbeat waits for the GIL MainThread holds in a long regular expression', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    const versions = requirePythons(t, MINORS);
    if (!pyspy || !versions.length) return;
    const title = new RegExp(
      `^heartbeat waits for the GIL at gil_hog_regex\\.py:${hangLine('gil_hog_regex.py', 'starved')} \\(.*heartbeat\\), held by MainThread at gil_hog_regex\\.py:${hangLine('gil_hog_regex.py', 'hog')} \\(.*validate\\)$`,
    );
    for (const { version, python } of versions) {
      const p = await start('gil_hog_regex.py', python);
      const d = await dumpUntil(p.pid, pyspy, (x) => title.test(x.findings[0]?.title ?? ''), { native: true });
      assert.match(d.findings[0]?.title ?? '', title, `${version}: ${titles(d)}`);
      assert.equal(d.findings[0]!.kind, 'gil-wait');
      assert.match(d.findings[0]!.detail!, /move it to a process/);
      p.stop();
    }
  });

  it('without --native: running on its sleep line without the GIL is a GIL wait, in a dump and in sampling (stuck, not busy)', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    const versions = requirePythons(t, ['3.9', '3.12'], 2);
    if (!pyspy || !versions.length) return;
    const title = new RegExp(
      `^heartbeat waits for the GIL at gil_hog_regex\\.py:${hangLine('gil_hog_regex.py', 'starved')} \\(.*heartbeat\\), held by MainThread`,
    );
    for (const { version, python } of versions) {
      const p = await start('gil_hog_regex.py', python);
      const d = await dumpUntil(p.pid, pyspy, (x) => title.test(x.findings[0]?.title ?? ''));
      assert.match(d.findings[0]?.title ?? '', title, `${version}: ${titles(d)}`);
      const profile = await sampleLocal(p.pid, pyspy, 5);
      const heartbeat = profile.threads.find((x) => x.name === 'heartbeat');
      const why = `${version}: ${JSON.stringify(profile.threads.map((x) => [x.name, x.status, x.wait?.phrase, x.sameStackSeconds]))} findings: ${JSON.stringify(profile.findings?.map((f) => f.title))} notes: ${JSON.stringify(profile.notes)}`;
      assert.equal(heartbeat?.status, 'stuck', why);
      assert.match(heartbeat?.wait?.phrase ?? '', /^waits for the GIL, held by MainThread at gil_hog_regex\.py:\d+/, why);
      assert.equal(profile.threads.find((x) => x.name === 'MainThread')?.status, 'busy', why);
      assert.ok(
        profile.findings?.some((f) => f.kind === 'gil-wait'),
        why,
      );
      p.stop();
    }
  });

  it('busy pure-Python threads share the GIL: no thread is said to starve, with or without --native', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    const versions = requirePythons(t, MINORS);
    if (!pyspy || !versions.length) return;
    for (const { version, python } of versions) {
      const p = await start('gil_shared_busy.py', python);
      // Several looks: each may catch threads in take_gil, as the GIL moves every 5 ms.
      for (const native of [true, false, true, false]) {
        const d = await dumpLocal(p.pid, pyspy, { native });
        assert.ok(!d.findings.some((f) => f.kind === 'gil-wait'), `${version}${native ? ' --native' : ''}: ${titles(d)}`);
      }
      p.stop();
    }
  });

  it("a multiprocessing.Pool's handler threads and idle executor workers are at rest: no finding, parked in sampling", async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    const versions = requirePythons(t, MINORS);
    if (!pyspy || !versions.length) return;
    for (const { version, python } of versions) {
      const p = await start('helpers_at_rest.py', python);
      const d = await dumpUntil(p.pid, pyspy, (x) => x.findings.length === 1);
      // Only MainThread's own wait (the Event nobody sets) is a finding; the helpers are not.
      assert.deepEqual(
        d.findings.map((f) => d.threads.find((x) => x.id === f.threadId)?.name),
        ['MainThread'],
        `${version}: ${titles(d)}`,
      );
      const profile = await sampleLocal(p.pid, pyspy);
      const helpers = profile.threads.filter((x) => x.name !== 'MainThread');
      assert.ok(helpers.length >= 4, `${version}: ${profile.threads.map((x) => x.name).join(', ')}`);
      for (const h of helpers) assert.notEqual(h.status, 'stuck', `${version} ${h.name}: ${h.wait?.phrase}`);
      assert.equal(profile.threads.find((x) => x.name === 'MainThread')?.status, 'stuck', version);
      p.stop();
    }
  });
});
