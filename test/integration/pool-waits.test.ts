// Waits inside a library's pool, on real programs under several pyenv Pythons: a urllib3 pool whose
// only connection a stuck request holds, a requests session whose responses were left open, a
// thread pool whose workers wait for a lock the waiting thread holds, a multiprocessing.Pool whose
// worker was killed. In dumps and in sampling.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { hangLine } from '../support/programs';
import { requirePyLib, requirePythons } from '../support/pythons';
import { requireTool } from '../support/tools';
import { dumpUntil, sampleLocal, start, stopAll, titles } from '../support/waitCases';

after(stopAll);
const MINORS = ['3.8', '3.11', '3.13'];

describe('pool waits', () => {
  it('urllib3: the request waits for a pool slot its timeout= does not cover, held by the thread stuck on a silent server', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    const versions = requirePythons(t, MINORS);
    if (!pyspy || !versions.length || !requirePyLib(t, 'urllib3')) return;
    // The pool's host:port where the locals show it.
    const title = new RegExp(
      `^MainThread waits for a free connection of the urllib3 pool( for 127\\.0\\.0\\.1:\\d+)? at urllib3_pool_wait\\.py:${hangLine('urllib3_pool_wait.py', 'waiter')} \\(main\\); fetcher holds the connection`,
    );
    for (const { version, python } of versions) {
      const p = await start('urllib3_pool_wait.py', python);
      const d = await dumpUntil(p.pid, pyspy, (x) => title.test(x.findings[0]?.title ?? ''));
      assert.match(d.findings[0]?.title ?? '', title, `${version}: ${titles(d)}`);
      assert.equal(d.findings[0]!.kind, 'pool-wait');
      assert.match(d.findings[0]!.detail!, /timeout= covers connecting and reading, not this wait/);
      assert.match(d.findings[0]!.detail!, /fetcher/);
      const profile = await sampleLocal(p.pid, pyspy);
      const main = profile.threads.find((x) => x.name === 'MainThread');
      assert.equal(main?.status, 'stuck', `${version}: sampling does not call it idle`);
      assert.match(main?.wait?.phrase ?? '', /^waits for a free connection of the urllib3 pool/, version);
      p.stop();
    }
  });

  it('requests: no thread is in a request, the responses left open hold the connections', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    const versions = requirePythons(t, MINORS);
    if (!pyspy || !versions.length || !requirePyLib(t, 'requests')) return;
    const head = new RegExp(
      `^MainThread waits for a free connection of the urllib3 pool( for 127\\.0\\.0\\.1:\\d+)? at requests_pool_leak\\.py:${hangLine('requests_pool_leak.py', 'waiter')} \\(main\\); no thread is in a request`,
    );
    for (const { version, python } of versions) {
      const p = await start('requests_pool_leak.py', python);
      const d = await dumpUntil(p.pid, pyspy, (x) => head.test(x.findings[0]?.title ?? ''));
      assert.match(d.findings[0]?.title ?? '', head, `${version}: ${titles(d)}`);
      assert.match(d.findings[0]!.detail!, /pool_block=True/);
      p.stop();
    }
  });

  it('concurrent.futures: result() waits for workers that wait for the lock the caller holds', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    const versions = requirePythons(t, MINORS);
    if (!pyspy || !versions.length) return;
    const worker = hangLine('executor_saturated.py', 'worker');
    const result = hangLine('executor_saturated.py', 'result');
    const want = new RegExp(
      `^ledger_\\d waits to acquire ledger_lock at executor_saturated\\.py:${worker} \\(post_entry\\), which MainThread holds at executor_saturated\\.py:${result} \\(main\\)$`,
    );
    for (const { version, python } of versions) {
      const p = await start('executor_saturated.py', python);
      const d = await dumpUntil(p.pid, pyspy, (x) => want.test(x.findings[0]?.title ?? ''));
      assert.match(d.findings[0]?.title ?? '', want, `${version}: ${titles(d)}`);
      const profile = await sampleLocal(p.pid, pyspy);
      // The executor's workers run a task: stuck, not parked as helpers at rest.
      for (const w of profile.threads.filter((x) => x.name.startsWith('ledger_'))) assert.equal(w.status, 'stuck', `${version} ${w.name}`);
      p.stop();
    }
  });

  it('multiprocessing.Pool: a worker killed mid-task leaves map() waiting; the replacement worker is named', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    const versions = requirePythons(t, MINORS);
    if (!pyspy || !versions.length) return;
    const want = new RegExp(
      `^MainThread waits at mp_pool_killed_worker\\.py:${hangLine('mp_pool_killed_worker.py', 'map')} \\(main\\) for results a dead pool worker will never send: worker (\\d+) replaced one that died$`,
    );
    for (const { version, python } of versions) {
      const p = await start('mp_pool_killed_worker.py', python);
      const first = p
        .output()
        .split('\n')
        .find((l) => l.startsWith('ready'))!
        .split(' ')
        .slice(2)
        .map(Number);
      const d = await dumpUntil(p.pid, pyspy, (x) => want.test(x.findings[0]?.title ?? ''));
      const m = want.exec(d.findings[0]?.title ?? '');
      assert.ok(m, `${version}: ${titles(d)}`);
      assert.equal(d.findings[0]!.severity, 'error');
      assert.ok(!first.includes(Number(m[1])), 'the replacement is not one of the first workers');
      assert.match(d.findings[0]!.detail!, /SIGKILL from the kernel's OOM killer/);
      assert.match(d.findings[0]!.detail!, /ProcessPoolExecutor, which raises BrokenProcessPool/);
      // Sampling: the pool's handler threads are at rest, not stuck.
      const profile = await sampleLocal(p.pid, pyspy);
      const helpers = profile.threads.filter((x) => x.name !== 'MainThread');
      assert.ok(helpers.length >= 3, `${version}: ${profile.threads.map((x) => x.name).join(', ')}`);
      for (const h of helpers) assert.notEqual(h.status, 'stuck', `${version} ${h.name}: ${h.wait?.phrase}`);
      p.stop();
    }
  });
});
