// Wall-clock and CPU-only shares: py-spy counts a waiting thread's samples (`--idle`), so a process
// at 0 % CPU still fills %Own; the samples of running threads, counted apart, give the CPU shares.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SampleBatch, SampleFrame, StackSample } from '../../../src/core/model';
import { hotRows } from '../../../src/core/sampling/profileRows';
import { Sampler } from '../../../src/core/sampling/sampler';
import { hotTables } from '../../../src/extension/sampling/pageModel';

const f = (fn: string, line: number, file = '/app/w.py'): SampleFrame => ({ function: fn, file, line, native: false });
const stack = (id: number, name: string, frames: SampleFrame[], count: number): StackSample => ({ id, name, frames, count });
const recv = [f('recv', 706, '/usr/lib/python3.11/socket.py'), f('fetch', 25)];
const wait = [f('Condition.wait', 331, '/usr/lib/python3.11/threading.py'), f('report', 37)];
const spin = [f('checksum', 9), f('crunch', 12)];

async function profileOf(batches: Omit<SampleBatch, 'startMs' | 'endMs'>[]) {
  const s = new Sampler({ pid: 1, rateHz: 10, method: 'test', mapFrame: async (fr) => ({ isUserCode: fr.file.startsWith('/app/') }) });
  let t = 0;
  for (const b of batches) await s.add({ startMs: t, endMs: (t += 1000), ...b });
  return s.profile();
}

const noDocuments = () => undefined;

describe('CPU-only shares beside the wall-clock ones', () => {
  it('two waiting threads: 50/50 of the wall clock, no CPU sample at all', async () => {
    const p = await profileOf([{ stacks: [stack(1, 'MainThread', recv, 10), stack(2, 'reporter', wait, 10)], activeStacks: [] }]);
    assert.equal(p.samples, 20);
    assert.equal(p.activeSamples, 0);
    assert.deepEqual(
      p.lines
        .filter((r) => r.own > 0)
        .map((r) => `${r.function}=${r.own}/${r.cpuOwn}`)
        .sort(),
      ['Condition.wait=10/0', 'recv=10/0'],
    );
    const t = hotTables(p, 'all', noDocuments);
    assert.equal(t.cpuSamples, 0);
    assert.deepEqual(
      t.lines.filter((r) => r.ownPct > 0).map((r) => [r.ownPct, r.cpuOwnPct]),
      [
        [50, 0],
        [50, 0],
      ],
    );
  });

  it('a busy thread beside a waiting one: all of the CPU share is the busy one, half the wall clock', async () => {
    const p = await profileOf([
      { stacks: [stack(1, 'MainThread', spin, 10), stack(2, 'reporter', wait, 10)], activeStacks: [stack(1, 'MainThread', spin, 9)] },
      { stacks: [stack(1, 'MainThread', spin, 10), stack(2, 'reporter', wait, 10)], activeStacks: [stack(1, 'MainThread', spin, 10)] },
    ]);
    assert.equal(p.samples, 40);
    assert.equal(p.activeSamples, 19);
    const t = hotTables(p, 'all', noDocuments);
    const checksum = t.lines.find((r) => r.function === 'checksum')!;
    assert.deepEqual([checksum.ownPct, checksum.cpuOwnPct, checksum.cpuTotalPct], [50, 100, 100]);
    const waitRow = t.lines.find((r) => r.function === 'Condition.wait')!;
    assert.deepEqual([waitRow.ownPct, waitRow.cpuOwnPct], [50, 0]);
    const crunch = t.functions.find((r) => r.function === 'crunch')!;
    assert.deepEqual([crunch.ownPct, crunch.totalPct, crunch.cpuOwnPct, crunch.cpuTotalPct], [0, 50, 0, 100]);
    // One thread's tables: shares of its own samples, wall-clock and CPU alike.
    const one = hotTables(p, 1, noDocuments);
    assert.equal(one.cpuSamples, 19);
    assert.deepEqual(
      one.lines.filter((r) => r.ownPct > 0).map((r) => [r.function, r.ownPct, r.cpuOwnPct]),
      [['checksum', 100, 100]],
    );
  });

  it('a line seen only in the running samples gets a row of its own at 0 % of the wall clock', async () => {
    const other = [f('checksum', 10), f('crunch', 12)];
    const p = await profileOf([
      { stacks: [stack(1, 'MainThread', spin, 4)], activeStacks: [stack(1, 'MainThread', spin, 3), stack(1, 'MainThread', other, 1)] },
    ]);
    const rows = hotRows(p.frames, p.stacks, p.activeStacks);
    assert.equal(rows.cpuSamples, 4);
    const line10 = rows.lines.find((r) => r.line === 10)!;
    assert.deepEqual([line10.own, line10.total, line10.cpuOwn, line10.cpuTotal], [0, 0, 1, 1]);
    assert.deepEqual(p.lines, rows.lines, 'the profile counts by the same rule');
  });

  it('a source that cannot tell which threads ran: no CPU columns; a session where some batches could not: a note', async () => {
    const unknown = await profileOf([{ stacks: [stack(1, 'MainThread', spin, 10)] }]);
    assert.equal(unknown.activeSamples, undefined);
    assert.equal(unknown.activeStacks, undefined);
    assert.equal(unknown.lines[0]!.cpuOwn, undefined);
    assert.equal(hotTables(unknown, 'all', noDocuments).cpuSamples, undefined);
    assert.equal(hotTables(unknown, 'all', noDocuments).lines[0]!.cpuOwnPct, undefined);
    const partly = await profileOf([
      { stacks: [stack(1, 'MainThread', spin, 10)], activeStacks: [stack(1, 'MainThread', spin, 10)] },
      { stacks: [stack(1, 'MainThread', spin, 10)] },
    ]);
    assert.equal(partly.activeSamples, 10);
    assert.match((partly.notes ?? []).join('\n'), /CPU-only shares leave out 1 batch of samples/);
  });
});
