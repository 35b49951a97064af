// Wall-clock and CPU-only shares with the real py-spy: `py-spy record --idle` counts waiting
// threads, so a process at 0 % CPU still fills %Own; the recording of running threads beside it
// gives the CPU-only shares, 0 of them for a process that only waits.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { hangLine, PROGRAMS, startProgram } from '../support/programs';
import { ensureBuilt, runCli } from '../support/snag';
import { requirePythons } from '../support/pythons';
import { requireTool } from '../support/tools';

interface Row {
  function: string;
  line: number;
  own: number;
  ownPercent: number;
  cpuOwn?: number;
  cpuOwnPercent?: number;
}
interface JsonProfile {
  samples: number;
  activeSamples?: number;
  lines: Row[];
  functions: Row[];
}

const leftRecordings = (pid: number) => readdirSync('/tmp').filter((n) => n.startsWith(`snag-record-${pid}-`));

test('CPU-only shares beside the wall-clock ones, sampled with py-spy record', { timeout: 120_000 }, async (t) => {
  const pyspy = requireTool(t, 'py-spy', 'bash scripts/setup.sh core');
  if (!pyspy) return;
  ensureBuilt();
  const env = { SNAG_PYSPY: pyspy };

  await t.test('a process that only waits: wall-clock shares split between its waits, no sample on the CPU', async () => {
    const recv = await startProgram('socket_recv.py');
    t.after(() => recv.stop());
    const r = await runCli(['sample', String(recv.pid), '--duration', '3', '--rate', '20', '--json', '--root', PROGRAMS], { env });
    assert.equal(r.code, 0, r.stderr);
    const p = JSON.parse(r.stdout) as JsonProfile;
    assert.ok(p.samples > 20, `${p.samples} samples`);
    assert.equal(p.activeSamples, 0, 'no thread ran');
    const waits = p.lines.filter((l) => l.own > 0);
    assert.ok(waits.length >= 2, JSON.stringify(waits));
    for (const l of waits) assert.equal(l.cpuOwnPercent, 0, `${l.function}: ${l.ownPercent} % of the wall clock, none on the CPU`);
    const text = await runCli(['sample', String(recv.pid), '--duration', '2', '--root', PROGRAMS], { env });
    assert.match(
      text.stdout,
      /%Own and %Total are wall-clock shares: the samples of waiting threads count too \(py-spy counts idle threads\)\. None of the \d+ samples caught a thread running/,
    );
    assert.match(text.stdout, /%Own\s+%Total\s+CPU %Own\s+Function/);
    assert.deepEqual(leftRecordings(recv.pid), [], 'both recordings of each chunk removed');
  });

  await t.test('a busy thread beside a stuck one: the busy line holds the CPU share, the stuck read none', async () => {
    const three = await startProgram('busy_and_stuck.py');
    t.after(() => three.stop());
    const r = await runCli(['sample', String(three.pid), '--duration', '3', '--rate', '20', '--json', '--root', PROGRAMS], { env });
    assert.equal(r.code, 0, r.stderr);
    const p = JSON.parse(r.stdout) as JsonProfile;
    assert.ok((p.activeSamples ?? 0) > 20, `${p.activeSamples} running samples of ${p.samples}`);
    assert.ok(p.activeSamples! < p.samples, 'fewer running samples than samples: the stuck thread waits');
    const checksum = p.functions.find((x) => x.function === 'checksum')!;
    assert.ok((checksum.cpuOwnPercent ?? 0) >= 80, `checksum: ${checksum.cpuOwnPercent} % of the CPU, ${checksum.ownPercent} % of the wall clock`);
    assert.ok(checksum.ownPercent < checksum.cpuOwnPercent!, 'a smaller share of the wall clock, which the waiting threads share');
    const stuck = p.lines.find((l) => l.function === 'read_reply' && l.line === hangLine('busy_and_stuck.py', 'stuck-recv'));
    const read = p.lines.filter((l) => l.own > 0).find((l) => /recv|read/.test(l.function) && l.function !== 'read_reply') ?? stuck;
    assert.ok(read, JSON.stringify(p.lines.slice(0, 8)));
    assert.ok(read.ownPercent > 0 && read.cpuOwnPercent === 0, `the stuck read: ${read.ownPercent} % wall clock, ${read.cpuOwnPercent} % CPU`);
    assert.deepEqual(leftRecordings(three.pid), []);
  });

  await t.test('a lone sleeping thread that py-spy knows only by its pthread id (3.8, 3.10): MainThread, and no CPU share claimed', async (tt) => {
    const versions = requirePythons(tt, ['3.8', '3.10', '3.12']);
    for (const { version, python } of versions) {
      const p = await startProgram('lone_sleeper.py', [], { python });
      tt.after(() => p.stop());
      const r = await runCli(['sample', String(p.pid), '--duration', '2', '--json', '--root', PROGRAMS], { env });
      assert.equal(r.code, 0, r.stderr);
      const profile = JSON.parse(r.stdout) as JsonProfile & { threads: { name: string }[]; notes?: string[] };
      assert.deepEqual(
        profile.threads.map((x) => x.name),
        ['MainThread'],
        version,
      );
      const sleep = profile.lines.find((l) => l.line === hangLine('lone_sleeper.py', 'sleep'))!;
      // Either py-spy told its states (0 % of the CPU), or Snag says it cannot (no CPU share at all).
      assert.ok(sleep.cpuOwnPercent === undefined || sleep.cpuOwnPercent === 0, `${version}: ${JSON.stringify(sleep)} ${JSON.stringify(profile.notes)}`);
      assert.ok(!profile.activeSamples, `${version}: ${profile.activeSamples} running samples of a thread that sleeps`);
      p.stop();
    }
  });
});
