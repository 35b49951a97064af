// Findings on real dumps of the fixture programs: each stuck program gets the right explanation.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { GC_NOTE } from '../../src/core/findings/gcFinalizer';
import type { StackDump } from '../../src/core/model';
import { hangLine, startProgram, type Started } from '../support/programs';
import { dumpLocal } from '../support/snag';
import { requirePythons } from '../support/pythons';
import { requireTool } from '../support/tools';

const started: Started[] = [];
const childPids: number[] = [];
after(() => {
  for (const pid of childPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  for (const p of started) p.stop();
});

async function start(name: string): Promise<Started> {
  const p = await startProgram(name, [], { readyTimeoutMs: 30_000 });
  started.push(p);
  return p;
}

/** Dumps until `ok` holds (the program reaches its stuck place), for up to 30 s. */
async function dumpUntil(pid: number, pyspy: string, ok: (d: StackDump) => boolean): Promise<StackDump> {
  const end = Date.now() + 30_000;
  for (;;) {
    const d = await dumpLocal(pid, pyspy);
    if (ok(d) || Date.now() > end) return d;
    await delay(100);
  }
}

const kinds = (d: StackDump) => d.findings.map((f) => f.kind);
const threadOf = (d: StackDump, id: number | undefined) => d.threads.find((t) => t.id === id)?.name;

describe('core: findings on real stuck programs', () => {
  it('asyncio: an event loop blocked by time.sleep in a coroutine', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    const p = await start('asyncio_blocked.py');
    const line = hangLine('asyncio_blocked.py', 'blocking-sleep');
    for (const native of [false, true]) {
      const d = await dumpLocal(p.pid, pyspy, { native });
      assert.deepEqual(kinds(d), ['asyncio-blocked'], `native=${native}`);
      assert.equal(d.findings[0]!.title, `MainThread's asyncio event loop is blocked by time.sleep at asyncio_blocked.py:${line} (handle_request)`);
      assert.equal(d.findings[0]!.frame?.line, line);
    }
  });

  it('multiprocessing: the parent joins a child whose queue feeder thread cannot flush', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    const parent = await start('mp_queue_feeder.py');
    const childPid = Number(/ready (\d+)/.exec(parent.output())![1]);
    childPids.push(childPid);
    const pd = await dumpLocal(parent.pid, pyspy);
    assert.deepEqual(kinds(pd), ['join-wait']);
    // The join is followed into the child (dumped too): both ends are named.
    assert.match(
      pd.findings[0]!.title,
      new RegExp(`^MainThread waits for child ${childPid} \\(python mp_queue_feeder\\.py\\), where QueueFeederThread keeps this process from exiting`),
    );
    assert.match(pd.findings[0]!.detail!, new RegExp(`MainThread waits at mp_queue_feeder\\.py:${hangLine('mp_queue_feeder.py', 'join')} \\(main\\)`));
    assert.match(pd.findings[0]!.detail!, /Read the queue before joining the process/);
    assert.deepEqual(
      pd.children?.map((c) => c.pid),
      [childPid],
    );
    // The child printed "done" but cannot exit: its feeder thread is stuck writing.
    const cd = await dumpLocal(childPid, pyspy);
    assert.deepEqual(kinds(cd), ['queue-feeder']);
    const f = cd.findings[0]!;
    assert.equal(f.severity, 'warning');
    assert.equal(threadOf(cd, f.threadId), 'QueueFeederThread');
    assert.match(
      f.title,
      /^QueueFeederThread keeps this process from exiting: it is still writing queued data that no process reads, at queues\.py:\d+ \(Queue\._feed\)$/,
    );
    assert.match(f.detail!, /MainThread waits for that in Queue\._finalize_join/);
  });

  it('GC: a finalizer blocked on a lock, called from the garbage collector', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    const p = await start('gc_finalizer.py');
    const line = hangLine('gc_finalizer.py', 'finalizer');
    const native = await dumpLocal(p.pid, pyspy, { native: true });
    const main = native.threads.find((x) => x.name === 'MainThread')!;
    const del = main.frames.find((f) => f.function.endsWith('__del__'))!;
    assert.equal(del.note, GC_NOTE, 'the finalizer frame is marked as run by the collector');
    assert.deepEqual(kinds(native), ['gc-finalizer', 'lock-wait']);
    assert.equal(
      native.findings[0]!.title,
      `MainThread is stuck in a finalizer at gc_finalizer.py:${line} (Connection.__del__), called from the garbage collector`,
    );
    assert.match(
      native.findings[1]!.title,
      new RegExp(
        `^MainThread waits to acquire pool_lock at gc_finalizer\\.py:${line} \\(Connection\\.__del__\\), which pool-owner holds at gc_finalizer\\.py:\\d+ \\(hold_pool_forever\\)$`,
      ),
    );
    // Without native frames the collector is invisible, but the finalizer is not.
    const plain = await dumpLocal(p.pid, pyspy);
    assert.equal(plain.findings[0]!.kind, 'gc-finalizer');
    assert.equal(plain.findings[0]!.title, `MainThread is stuck in a finalizer at gc_finalizer.py:${line} (Connection.__del__)`);
  });

  it('HTTPS: an SSL read of an HTTP response with no timeout', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy || !requireTool(t, 'openssl', 'bash scripts/setup.sh core')) return;
    const p = await start('https_download.py');
    const line = hangLine('https_download.py', 'read');
    // The server says ready once it sent a partial body; the client may still be reading headers.
    const plain = await dumpUntil(p.pid, pyspy, (d) => d.findings[0]?.frame?.line === line);
    assert.deepEqual(kinds(plain), ['socket-wait']);
    // The peer from the process's socket; no timeout from the `with urlopen(url, context=…)` around the read.
    const waits = new RegExp(`^MainThread waits (\\d+ s )?for 127\\.0\\.0\\.1:\\d+ to answer with no timeout at https_download\\.py:${line} \\(download\\)$`);
    assert.match(plain.findings[0]!.title, waits);
    assert.match(plain.findings[0]!.detail!, /urlopen\(…\) at https_download\.py:\d+ \(download\) passes no timeout=/);
    const native = await dumpLocal(p.pid, pyspy, { native: true });
    assert.match(native.findings[0]!.title, waits);
    assert.equal(native.findings[0]!.frame?.line, line);
  });

  it('a polling loop sleeping in time.sleep: said as what it polls for', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    const p = await start('poll_forever.py');
    const d = await dumpLocal(p.pid, pyspy);
    assert.deepEqual(kinds(d), ['sleep']);
    assert.equal(
      d.findings[0]!.title,
      `MainThread polls every 0.5 s until \`os.path.exists(path)\` at poll_forever.py:${hangLine('poll_forever.py', 'poll')} (wait_for_flag)`,
    );
    assert.equal(d.findings[0]!.severity, 'info');
  });

  it('at rest: an idle asyncio loop, accept(), select(), signal.pause() — each said for what it is', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    const p = await start('at_rest.py');
    const want = { MainThread: 'asyncio-idle', acceptor: 'accept-wait', watcher: 'select-wait', pauser: 'signal-pause' };
    // Threads' findings; the tasks' own (read from memory, no thread) are checked apart.
    const byThread = (d: StackDump) => Object.fromEntries(d.findings.filter((f) => f.threadId !== undefined).map((f) => [threadOf(d, f.threadId), f.kind]));
    for (const native of [false, true]) {
      const d = await dumpUntil(p.pid, pyspy, (x) => Object.keys(byThread(x)).length === 4);
      const n: StackDump = native ? await dumpLocal(p.pid, pyspy, { native }) : d;
      assert.deepEqual(byThread(n), want, `native=${native}`);
      assert.ok(n.findings.filter((f) => f.threadId !== undefined).every((f) => f.severity === 'info'));
      // The watcher's pipe is its own: os.pipe() the line above, the write end named.
      const watcher = n.findings.find((f) => f.kind === 'select-wait')!;
      assert.match(watcher.title, /^watcher waits in select\(\) for its own pipe \(os\.pipe\(\) at line \d+\)/, `native=${native}`);
      assert.match(watcher.detail!, /by writing to w /);
      // Its only task awaits a Future that nothing else holds: nothing will ever complete it.
      const tasks = n.findings.filter((f) => f.threadId === undefined).map((f) => f.kind);
      assert.ok(
        tasks.every((k) => k === 'asyncio-orphan-wait'),
        JSON.stringify(tasks),
      );
    }
  });

  it('input() on a stdin nobody writes to', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    const p = await start('stdin_wait.py');
    const line = hangLine('stdin_wait.py', 'input');
    for (const native of [false, true]) {
      const d = await dumpUntil(p.pid, pyspy, (x) => x.threads[0]?.frames.some((f) => f.line === line) ?? false);
      const n: StackDump = native ? await dumpLocal(p.pid, pyspy, { native }) : d;
      assert.deepEqual(kinds(n), ['stdin-wait'], `native=${native}: ${JSON.stringify(n.threads[0]?.frames.map((f) => f.function))}`);
      assert.equal(n.findings[0]!.title, `MainThread waits for input on stdin at stdin_wait.py:${line} (<module>)`);
    }
  });

  it('the script has ended and Python waits for a non-daemon thread: said so, no lock someone holds (3.8, 3.12, 3.13)', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    const versions = requirePythons(t, ['3.8', '3.12', '3.13']);
    if (!pyspy || !versions.length) return;
    for (const { version, python } of versions) {
      const p = await startProgram('script_ended.py', [], { python, readyTimeoutMs: 30_000 });
      started.push(p);
      const d = await dumpUntil(p.pid, pyspy, (x) => x.threads.some((th) => th.name === 'MainThread' && th.frames.some((f) => f.function === '_shutdown')));
      const main = d.findings.find((f) => f.title.startsWith('MainThread '));
      assert.match(
        main?.title ?? '',
        /^MainThread waits for its non-daemon threads to finish \(the script has ended\) at threading\.py:\d+ \(_shutdown\)$/,
        `${version}: ${JSON.stringify(d.findings.map((f) => f.title))}`,
      );
      assert.equal(main!.severity, 'info');
      assert.match(main!.detail ?? '', /job \(script_ended\.py:\d+/);
      assert.ok(!kinds(d).includes('lock-wait'), `${version}: ${kinds(d).join()}`);
      p.stop();
    }
  });
});
