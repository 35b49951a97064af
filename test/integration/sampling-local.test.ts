// The sampler against real processes with the real py-spy: a busy thread, a stuck one and an
// idle-but-moving one in one program; a process stuck in a socket read; gdb as the source of
// repeated dumps; speedscope round trip; failures; and the target never left stopped.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SnagError } from '../../src/core/errors';
import { Sampler } from '../../src/core/sampling/sampler';
import { RecordSource } from '../../src/core/sampling/recordSource';
import { SamplingSession } from '../../src/core/sampling/samplingSession';
import { fromSpeedscope } from '../../src/core/sampling/speedscope';
import { LocalTarget } from '../../src/core/targets/local';
import { hangLine, PROGRAMS, processState, startProgram } from '../support/programs';
import { ensureBuilt, isOneLine, runCli } from '../support/snag';
import { requireTool } from '../support/tools';

interface JsonProfile {
  method: string;
  durationMs: number;
  samples: number;
  threads: {
    name: string;
    status: string;
    samples: number;
    sameStackSeconds?: number;
    wait?: { kind: string; parked?: boolean };
    at?: { function: string; line: number; localFile?: string };
  }[];
  functions: { function: string; own: number; total: number; ownPercent: number }[];
  lines: { function: string; line: number; own: number; total: number; localFile?: string; isUserCode: boolean }[];
}

function pyspyProcesses(pid: number): string[] {
  const out: string[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (cmd.some((a) => a.endsWith('py-spy')) && cmd.includes(String(pid))) out.push(cmd.join(' '));
    } catch {
      /* gone */
    }
  }
  return out;
}

test('sampling real processes', { timeout: 300_000 }, async (t) => {
  const pyspy = requireTool(t, 'py-spy', 'bash scripts/setup.sh core');
  if (!pyspy) return;
  ensureBuilt();
  const env = { SNAG_PYSPY: pyspy };
  const three = await startProgram('busy_and_stuck.py');
  t.after(() => three.stop());

  await t.test('busy, stuck and idle threads are told apart; shares add up; the busy function dominates', async () => {
    const r = await runCli(['sample', String(three.pid), '--duration', '5', '--rate', '20', '--json', '--root', PROGRAMS], { env });
    assert.equal(r.code, 0, r.stderr);
    const p = JSON.parse(r.stdout) as JsonProfile;
    assert.equal(p.method, 'py-spy record');
    const status = Object.fromEntries(p.threads.map((x) => [x.name, x.status]));
    assert.deepEqual(status, { reader: 'stuck', MainThread: 'busy', ticker: 'idle' }, JSON.stringify(p.threads));
    const reader = p.threads.find((x) => x.name === 'reader')!;
    assert.equal(reader.at?.function, 'read_reply');
    assert.equal(reader.at?.line, hangLine('busy_and_stuck.py', 'stuck-recv'));
    assert.equal(reader.at?.localFile, join(PROGRAMS, 'busy_and_stuck.py'));
    assert.ok((reader.sameStackSeconds ?? 0) >= 3);

    assert.ok(p.samples > 100, `${p.samples} samples`);
    assert.equal(
      p.lines.reduce((a, l) => a + l.own, 0),
      p.samples,
      'own shares add up to 100 %',
    );
    assert.equal(
      p.functions.reduce((a, l) => a + l.own, 0),
      p.samples,
    );
    const main = p.threads.find((x) => x.name === 'MainThread')!;
    const checksum = p.functions.find((x) => x.function === 'checksum')!;
    assert.ok(checksum.own >= 0.9 * main.samples, `checksum ${checksum.own} of MainThread's ${main.samples}`);
    const hot = p.lines.find((l) => l.function === 'checksum' && l.own === Math.max(...p.lines.filter((x) => x.function === 'checksum').map((x) => x.own)))!;
    assert.equal(hot.localFile, join(PROGRAMS, 'busy_and_stuck.py'));
    assert.equal(hot.isUserCode, true);
    assert.ok([hangLine('busy_and_stuck.py', 'hot'), hangLine('busy_and_stuck.py', 'hot') + 1].includes(hot.line));
    assert.notEqual(processState(three.pid), 'T');
    assert.deepEqual(pyspyProcesses(three.pid), [], 'no py-spy left running');
  });

  await t.test('a process stuck in a socket read: "MainThread stuck for N s at fetch_reply" within 5 s', async () => {
    const recv = await startProgram('socket_recv.py');
    t.after(() => recv.stop());
    const started = Date.now();
    const r = await runCli(['sample', String(recv.pid), '--duration', '4.5', '--root', PROGRAMS], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(Date.now() - started < 10_000);
    assert.match(r.stdout, new RegExp(`MainThread stuck for \\d+ s at fetch_reply \\(socket_recv\\.py:${hangLine('socket_recv.py', 'recv')}\\)`));
    assert.match(r.stdout, /%Own\s+%Total\s+(CPU %Own\s+)?Function/);
  });

  await t.test(
    'what each unchanged stack waits in: helpers parked in an Event, a queue or a sleep are idle; a lock wait and MainThread are stuck',
    async () => {
      const parked = await startProgram('parked_helpers.py');
      t.after(() => parked.stop());
      const r = await runCli(['sample', String(parked.pid), '--duration', '3.5', '--json', '--root', PROGRAMS], { env });
      assert.equal(r.code, 0, r.stderr);
      const p = JSON.parse(r.stdout) as JsonProfile;
      const by = Object.fromEntries(
        p.threads.map((x) => [x.name, { status: x.status, wait: x.wait?.kind, parked: x.wait?.parked ?? false, line: x.at?.line }]),
      );
      const line = (tag: string) => hangLine('parked_helpers.py', tag);
      assert.deepEqual(by, {
        MainThread: { status: 'stuck', wait: 'signal-wait', parked: false, line: line('main') },
        updater: { status: 'stuck', wait: 'lock-wait', parked: false, line: line('updater') },
        heartbeat: { status: 'idle', wait: 'signal-wait', parked: true, line: line('heartbeat') },
        worker: { status: 'idle', wait: 'signal-wait', parked: true, line: line('worker') },
        janitor: { status: 'idle', wait: 'sleep', parked: true, line: line('janitor') },
      });
      const text = await runCli(['sample', String(parked.pid), '--duration', '3', '--root', PROGRAMS], { env });
      assert.match(text.stdout, new RegExp(`updater stuck for \\d+ s at updater \\(parked_helpers\\.py:${line('updater')}\\) — waits to acquire guard`));
      assert.match(text.stdout, /MainThread stuck for \d+ s at <module> \(parked_helpers\.py:\d+\) — waits for a queue \(Queue\.get\)/);
      assert.match(text.stdout, /heartbeat idle for \d+ s at heartbeat \(parked_helpers\.py:\d+\) — waits for an Event \(Event\.wait\)/);
      assert.match(text.stdout, /janitor idle for \d+ s at janitor \(parked_helpers\.py:\d+\) — sleeps in time\.sleep/);
    },
  );

  await t.test('the cross-thread findings of dumps over the stacks that stand still: a deadlock, a blocked event loop', async () => {
    const deadlock = await startProgram('deadlock.py');
    const loop = await startProgram('asyncio_blocked.py');
    t.after(() => deadlock.stop());
    t.after(() => loop.stop());
    const [d, a] = await Promise.all([deadlock, loop].map((p) => runCli(['sample', String(p.pid), '--duration', '3', '--json', '--root', PROGRAMS], { env })));
    for (const r of [d, a]) assert.equal(r!.code, 0, r!.stderr);
    const kinds = (r: { stdout: string }) => ((JSON.parse(r.stdout) as { findings?: { kind: string }[] }).findings ?? []).map((f) => f.kind).sort();
    // The deadlock, and MainThread's join followed to the deadlocked workers (issue 12's follow-the-wait).
    assert.deepEqual(kinds(d!), ['deadlock', 'deadlock', 'join-wait']);
    assert.deepEqual(kinds(a!), ['asyncio-blocked']);
    const text = await runCli(['sample', String(deadlock.pid), '--duration', '3', '--root', PROGRAMS], { env });
    assert.match(text.stdout, /Findings:\n {2}error: worker-\w waits for lock_\w at deadlock\.py:\d+ \(transfer_\w_to_\w\), held by worker-\w: a deadlock/);
  });

  await t.test('with gdb: repeated gdb dumps, the target resumed after each', async (t2) => {
    const gdb = requireTool(t2, 'gdb', 'bash scripts/setup.sh core');
    if (!gdb) return;
    const r = await runCli(
      ['sample', String(three.pid), '--backend', 'gdb', '--gdb', gdb, '--duration', '4', '--rate', '2', '--stuck-after', '1', '--json', '--root', PROGRAMS],
      { env },
    );
    assert.equal(r.code, 0, r.stderr);
    const p = JSON.parse(r.stdout) as JsonProfile;
    assert.equal(p.method, 'repeated gdb dumps');
    assert.ok(p.samples >= 3, `${p.samples} samples`);
    const reader = p.threads.find((x) => x.name === 'reader');
    assert.equal(reader?.at?.function, 'read_reply', JSON.stringify(p.threads));
    assert.ok(p.lines.some((l) => l.function === 'checksum'));
    assert.notEqual(processState(three.pid), 'T');
  });

  await t.test('--speedscope writes a file that loads back with the same samples', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snag-speedscope-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'p.speedscope.json');
    const r = await runCli(['sample', String(three.pid), '--duration', '2', '--json', '--speedscope', file, '--root', PROGRAMS], { env });
    assert.equal(r.code, 0, r.stderr);
    const p = JSON.parse(r.stdout) as JsonProfile;
    const loaded = await fromSpeedscope(readFileSync(file, 'utf8'), 'p.speedscope.json');
    assert.equal(loaded.samples, p.samples);
    assert.deepEqual(loaded.threads.map((x) => [x.name, x.status]).sort(), p.threads.map((x) => [x.name, x.status]).sort());
  });

  await t.test('stop() mid-recording ends at once; pause/resume keeps the counts; no py-spy is left', async () => {
    const sampler = new Sampler({ pid: three.pid, rateHz: 10, method: 'py-spy record' });
    const target = new LocalTarget();
    const source = new RecordSource(target, async () => pyspy, { pid: three.pid, rateHz: 10 });
    const session = new SamplingSession({ source, sampler });
    void session.start();
    while (sampler.samples === 0) await new Promise((r) => setTimeout(r, 50));
    await session.pause();
    assert.equal(session.state, 'paused');
    const before = sampler.samples;
    void session.start();
    while (sampler.samples === before) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300)); // in the middle of a recording
    const t0 = Date.now();
    await session.stop();
    assert.ok(Date.now() - t0 < 2000, `stop took ${Date.now() - t0} ms`);
    assert.equal(session.state, 'stopped');
    assert.equal(session.failure, undefined);
    assert.ok(sampler.samples > before);
    assert.deepEqual(pyspyProcesses(three.pid), []);
    assert.notEqual(processState(three.pid), 'T');
  });

  await t.test('a recording a dead session left in /tmp goes at the next session; a recent one stays', async () => {
    const stale = '/tmp/snag-record-1-stale000000.txt';
    const recent = '/tmp/snag-record-1-recent00000.txt';
    writeFileSync(stale, 'x');
    writeFileSync(recent, 'x');
    t.after(() => rmSync(recent, { force: true }));
    const old = new Date(Date.now() - 20 * 60_000);
    utimesSync(stale, old, old);
    const sampler = new Sampler({ pid: three.pid, rateHz: 10, method: 'py-spy record' });
    const session = new SamplingSession({
      source: new RecordSource(new LocalTarget(), async () => pyspy, { pid: three.pid, rateHz: 10 }),
      sampler,
      durationMs: 1000,
    });
    await session.start();
    assert.ok(sampler.samples > 0);
    assert.equal(existsSync(stale), false, 'the stale recording was removed');
    assert.equal(existsSync(recent), true, 'a file another live session may be writing stays');
  });

  await t.test('failures: a process that is gone, a bad rate; a process that exits while sampled', async () => {
    // A pid that was real and has exited (a made-up one may be past this machine's pid_max, a usage error).
    const gonePid = spawnSync('true').pid;
    const gone = await runCli(['sample', String(gonePid), '--duration', '1'], { env });
    assert.equal(gone.code, 1);
    assert.ok(isOneLine(gone.stderr), gone.stderr);
    assert.match(gone.stderr, new RegExp(String(gonePid)));
    const rate = await runCli(['sample', String(three.pid), '--rate', '500'], { env });
    assert.equal(rate.code, 2);
    assert.match(rate.stderr, /--rate expects a whole number of samples per second from 1 to 100/);

    const short = await startProgram('socket_recv.py');
    const sampler = new Sampler({ pid: short.pid, rateHz: 10, method: 'py-spy record' });
    const session = new SamplingSession({ source: new RecordSource(new LocalTarget(), async () => pyspy, { pid: short.pid, rateHz: 10 }), sampler });
    const done = session.start();
    while (sampler.samples === 0) await new Promise((r) => setTimeout(r, 50));
    short.stop();
    await done;
    assert.equal(session.state, 'stopped');
    assert.ok(SnagError.is(session.failure, 'process-gone'), String(session.failure));
    assert.ok(sampler.samples > 0, 'the samples taken before stay');
  });
});
