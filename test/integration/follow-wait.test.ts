// Following a wait to its cause, on real stuck programs under several pyenv Pythons: a join to the
// joined thread (told among others by the Thread object in the locals), a future to the executor
// worker running its task, a queue whose producers died, and across processes into the child a
// subprocess.run() or a multiprocessing join waits for (the child dumped too). In dumps and in
// sampling.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { PySpyBackend } from '../../src/core/backends/pyspy';
import { GdbBackend } from '../../src/core/backends/gdb';
import { chooseSampleSource } from '../../src/core/sampling/chooseSource';
import { sampleProcess } from '../../src/core/sampling/sampleProcess';
import { SourceMapper } from '../../src/core/mapping/sourceMap';
import type { StackDump } from '../../src/core/model';
import { LocalTarget } from '../../src/core/targets/local';
import { hangLine, PROGRAMS, startProgram, type Started } from '../support/programs';
import { pythons } from '../support/pythons';
import { dumpLocal } from '../support/snag';
import { requireTool } from '../support/tools';

const VERSIONS = pythons(['3.8', '3.11', '3.13']);
const started: Started[] = [];
after(() => {
  for (const p of started) p.stop();
});

function requireVersions(t: { skip(msg: string): void }): boolean {
  if (VERSIONS.length >= 3) return true;
  const msg = `need pyenv Pythons 3.8, 3.11 and 3.13, found ${VERSIONS.map((v) => v.version).join(', ') || 'none'}`;
  if (process.env.CI === 'true') throw new Error(msg);
  t.skip(msg);
  return false;
}

async function start(name: string, python: string): Promise<Started> {
  const p = await startProgram(name, [], { python, readyTimeoutMs: 30_000 });
  started.push(p);
  return p;
}

/** Dumps until `ok` holds (children reach their stuck place a moment after "ready"), for up to 30 s. */
async function dumpUntil(pid: number, pyspy: string, ok: (d: StackDump) => boolean, o: { locals?: boolean } = {}): Promise<StackDump> {
  const end = Date.now() + 30_000;
  for (;;) {
    const d = await dumpLocal(pid, pyspy, o);
    if (ok(d) || Date.now() > end) return d;
    await delay(200);
  }
}

const since = '(\\d+ s )?';

describe('follow the wait: joins, futures, queues, children', () => {
  it('Thread.join → the joined worker, in a Condition.wait nothing will notify (the Thread found by its address in the locals)', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy || !requireVersions(t)) return;
    const title = `MainThread waits for worker to finish, which waits for a Condition nothing will notify at chain_join_condition.py:${hangLine('chain_join_condition.py', 'wait')} (worker)`;
    for (const { version, python } of VERSIONS) {
      const p = await start('chain_join_condition.py', python);
      // Without --locals the rules read the locals once more themselves; with --locals they use the dump's.
      for (const locals of [false, true]) {
        const d = await dumpUntil(p.pid, pyspy, (x) => x.findings[0]?.title === title, { locals });
        assert.deepEqual(
          d.findings.map((f) => f.title),
          [title],
          `${version} locals=${locals}`,
        );
        const f = d.findings[0]!;
        assert.equal(f.kind, 'join-wait');
        assert.equal(f.severity, 'warning');
        assert.equal(f.frame?.localFile, join(PROGRAMS, 'chain_join_condition.py'));
        assert.match(f.detail!, /MainThread waits for worker to finish \(the joined Thread object, by its address in the locals\)/);
        assert.match(f.detail!, new RegExp(`MainThread waits at chain_join_condition\\.py:${hangLine('chain_join_condition.py', 'join')} \\(main\\)`));
        assert.match(f.detail!, /heartbeat/, 'the other threads are named');
        assert.equal(
          d.threads.every((x) => x.frames.every((fr) => fr.locals === undefined)),
          !locals,
          'the rules’ own read of the locals is not shown',
        );
      }
      p.stop();
    }
  });

  it('Future.result() → the executor worker running the task, stuck in an HTTP request with no timeout (http.client)', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy || !requireVersions(t)) return;
    for (const { version, python } of VERSIONS) {
      const p = await start('chain_future_http.py', python);
      const port = Number(/ready (\d+)/.exec(p.output())![1]);
      const want = new RegExp(
        `^MainThread waits for fetch_0's task, which waits ${since}for 127\\.0\\.0\\.1:${port} to answer with no timeout at chain_future_http\\.py:${hangLine('chain_future_http.py', 'getresponse')} \\(fetch_status\\)$`,
      );
      const d = await dumpUntil(p.pid, pyspy, (x) => want.test(x.findings[0]?.title ?? ''));
      assert.match(d.findings[0]?.title ?? '', want, `${version}: ${d.findings.map((f) => f.title).join(' | ')}`);
      assert.equal(d.findings[0]!.severity, 'warning');
      assert.match(d.findings[0]!.detail!, /HTTPConnection\(…\) at chain_future_http\.py:\d+ \(fetch_status\) passes no timeout=/);
      // The worker's own wait is in the chain, not a finding of its own.
      assert.ok(!d.findings.some((f) => d.threads.find((x) => x.id === f.threadId)?.name === 'fetch_0'), version);
      p.stop();
    }
  });

  it('queue.get() → nothing: the producers died before putting anything', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy || !requireVersions(t)) return;
    const title = `MainThread waits for a queue item nothing will put at chain_queue_orphan.py:${hangLine('chain_queue_orphan.py', 'get')} (main)`;
    for (const { version, python } of VERSIONS) {
      const p = await start('chain_queue_orphan.py', python);
      const d = await dumpLocal(p.pid, pyspy);
      assert.deepEqual(
        d.findings.map((f) => [f.severity, f.title]),
        [['warning', title]],
        version,
      );
      assert.match(d.findings[0]!.detail!, /no other thread is left to put to it \(its producers have exited\)/);
      assert.match(d.findings[0]!.detail!, /put a final item \(a sentinel\)/);
      p.stop();
    }
  });

  it('subprocess.run() → the child (dumped too), which waits in urllib for a server that never answers', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy || !requireVersions(t)) return;
    const childLine = hangLine('chain_child_download.py', 'urlopen');
    for (const { version, python } of VERSIONS) {
      const p = await start('chain_subprocess_child.py', python);
      const port = Number(/ready (\d+)/.exec(p.output())![1]);
      const want = new RegExp(
        `^MainThread waits for child (\\d+) \\(python chain_child_download\\.py …\\), which waits ${since}for 127\\.0\\.0\\.1:${port} \\(localhost\\) to answer with no timeout( at chain_child_download\\.py:${childLine} \\(fetch\\))?$`,
      );
      const d = await dumpUntil(p.pid, pyspy, (x) => want.test(x.findings[0]?.title ?? ''));
      const f = d.findings[0]!;
      const m = want.exec(f.title);
      assert.ok(m, `${version}: ${d.findings.map((x) => x.title).join(' | ')}`);
      const childPid = Number(m[1]);
      assert.deepEqual(
        d.children?.map((c) => c.pid),
        [childPid],
        'the child was dumped with the same reader',
      );
      assert.equal(f.severity, 'warning');
      // The finding points at the cause: the child's line.
      assert.deepEqual([f.frame?.localFile, f.frame?.line], [join(PROGRAMS, 'chain_child_download.py'), childLine]);
      assert.match(f.detail!, new RegExp(`MainThread waits for child process ${childPid} \\(python chain_child_download\\.py …\\) its output\\.`));
      assert.match(f.detail!, /urlopen\(…\) at chain_child_download\.py:\d+ \(fetch\) passes no timeout=/);
      assert.match(f.detail!, /subprocess\.run\(…, timeout=…\)/);
      p.stop();
    }
  });

  it('multiprocessing Process.join() → the child, which waits in a raw socket read', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy || !requireVersions(t)) return;
    for (const { version, python } of VERSIONS) {
      const p = await start('chain_mp_child.py', python);
      const [, child, port] = /ready (\d+) (\d+)/.exec(p.output())!;
      const want = new RegExp(
        `^MainThread waits for child ${child} \\(python chain_mp_child\\.py\\), which waits ${since}for 127\\.0\\.0\\.1:${port} to answer with no timeout at chain_mp_child\\.py:${hangLine('chain_mp_child.py', 'recv')} \\(read_reply\\)$`,
      );
      const d = await dumpUntil(p.pid, pyspy, (x) => want.test(x.findings[0]?.title ?? ''));
      assert.match(d.findings[0]?.title ?? '', want, `${version}: ${d.findings.map((x) => x.title).join(' | ')}`);
      assert.equal(d.children?.[0]?.pid, Number(child));
      assert.equal(d.children?.[0]?.findings[0]?.kind, 'socket-wait');
      p.stop();
    }
  });

  it('sampling: the still stacks are followed too (the future to its worker, the worker to its peer)', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy || !requireVersions(t)) return;
    for (const { version, python } of VERSIONS) {
      const p = await start('chain_future_http.py', python);
      const port = Number(/ready (\d+)/.exec(p.output())![1]);
      const target = new LocalTarget();
      const source = chooseSampleSource(target, 'py-spy', new PySpyBackend(async () => pyspy), new GdbBackend(async () => 'gdb'), { pid: p.pid, rateHz: 20 });
      const profile = await sampleProcess({
        target,
        pid: p.pid,
        source,
        mapper: new SourceMapper({ workspaceRoots: [PROGRAMS] }),
        rateHz: 20,
        durationMs: 4_000,
        stuckAfterSeconds: 1,
      });
      const worker = profile.threads.find((x) => x.name === 'fetch_0');
      assert.equal(worker?.status, 'stuck', version);
      assert.match(worker?.wait?.phrase ?? '', new RegExp(`^waits ${since}for 127\\.0\\.0\\.1:${port} to answer with no timeout$`), version);
      const chain = profile.findings?.find((f) => f.kind === 'join-wait');
      assert.match(
        chain?.title ?? '',
        new RegExp(
          `^MainThread waits for fetch_0's task, which waits ${since}for 127\\.0\\.0\\.1:${port} to answer with no timeout at chain_future_http\\.py:\\d+ \\(fetch_status\\)$`,
        ),
        `${version}: ${profile.findings?.map((f) => f.title).join(' | ')}`,
      );
      p.stop();
    }
  });
});
