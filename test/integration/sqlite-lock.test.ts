// Database locks on real programs under several pyenv Pythons: a thread in SQLite's busy handler
// waits for the database lock another connection's write transaction holds, in dumps (plain and
// --native) and in sampling.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { hangLine } from '../support/programs';
import { requirePythons } from '../support/pythons';
import { requireTool } from '../support/tools';
import { dumpUntil, sampleLocal, start, stopAll, titles } from '../support/waitCases';

after(stopAll);

describe('SQLite: a write waiting for the database lock', () => {
  it('names the lock, the busy timeout from connect(), and the thread whose transaction holds it', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    const versions = requirePythons(t, ['3.8', '3.11', '3.13']);
    if (!pyspy || !versions.length) return;
    const title = `MainThread waits for the SQLite database lock (busy timeout 120 s) at sqlite_busy_threads.py:${hangLine('sqlite_busy_threads.py', 'insert')} (record_order), held by importer`;
    for (const { version, python } of versions) {
      const p = await start('sqlite_busy_threads.py', python);
      for (const native of [false, true]) {
        const d = await dumpUntil(p.pid, pyspy, (x) => x.findings[0]?.title === title, { native });
        assert.equal(d.findings[0]?.title, title, `${version} native=${native}: ${titles(d)}`);
        assert.equal(d.findings[0]!.kind, 'sqlite-lock');
        assert.match(d.findings[0]!.detail!, /"database is locked"/);
        // The holder is explained by the finding, not called idle or given one of its own.
        assert.equal(d.findings.filter((f) => f.kind === 'sqlite-lock').length, 1, titles(d));
      }
      const profile = await sampleLocal(p.pid, pyspy);
      const main = profile.threads.find((x) => x.name === 'MainThread');
      assert.equal(main?.status, 'stuck', version);
      assert.match(main?.wait?.phrase ?? '', /^waits for the SQLite database lock \(busy timeout 120 s\)/, version);
      p.stop();
    }
  });
  it("takes the busy timeout from the waiter's own connection (passed down as an argument), not another thread's connect()", async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    const versions = requirePythons(t, ['3.9', '3.12'], 2);
    if (!pyspy || !versions.length) return;
    const title = `MainThread waits for the SQLite database lock (busy timeout 900 s) at sqlite_waiter_timeout.py:${hangLine('sqlite_waiter_timeout.py', 'record')} (record), held by reporter`;
    for (const { version, python } of versions) {
      const p = await start('sqlite_waiter_timeout.py', python);
      const d = await dumpUntil(p.pid, pyspy, (x) => x.findings[0]?.title === title);
      assert.equal(d.findings[0]?.title, title, `${version}: ${titles(d)}`);
      assert.match(d.findings[0]!.detail!, /busy timeout of 900 s \(connect\(timeout=…\) at line \d+\)/);
      assert.doesNotMatch(d.findings[0]!.detail!, /5 s by default/);
      p.stop();
    }
  });
  it("follows a connection made by the user's factory in another module to its timeout; a holder at module level", async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    const versions = requirePythons(t, ['3.10', '3.13'], 2);
    if (!pyspy || !versions.length) return;
    const title = `claimer waits for the SQLite database lock (busy timeout 75 s) at sqlite_factory_jobs.py:${hangLine('sqlite_factory_jobs.py', 'claim')} (claim_next), held by MainThread`;
    for (const { version, python } of versions) {
      const p = await start('sqlite_factory_jobs.py', python);
      for (const native of [false, true]) {
        const d = await dumpUntil(p.pid, pyspy, (x) => x.findings[0]?.title === title, { native });
        assert.equal(d.findings[0]?.title, title, `${version} native=${native}: ${titles(d)}`);
        assert.match(
          d.findings[0]!.detail!,
          /busy timeout of 75 s \(connect\(timeout=…\) at line \d+ of sqlite_jobs_store\.py, in sqlite_jobs_store\.open_store\(\)\)/,
        );
        assert.match(d.findings[0]!.detail!, /began writing at line \d+ \(in <module>: lock_holder\.execute\("INSERT/);
        assert.doesNotMatch(d.findings[0]!.detail!, /\b5 s\b/);
      }
      p.stop();
    }
  });
});
