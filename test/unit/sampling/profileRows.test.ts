import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SampleFrame, StackSample } from '../../../src/core/model';
import { Sampler } from '../../../src/core/sampling/sampler';
import { hotRows } from '../../../src/core/sampling/profileRows';

const f = (fn: string, line: number, file = '/app/w.py'): SampleFrame => ({ function: fn, file, line, native: false });
const stack = (threadId: number, threadName: string, frames: SampleFrame[], count: number): StackSample => ({ id: threadId, name: threadName, frames, count });

async function profileOf(stacks: StackSample[]) {
  const s = new Sampler({ pid: 1, rateHz: 10, method: 'test', mapFrame: async (fr) => ({ isUserCode: fr.file.startsWith('/app/') }) });
  await s.add({ startMs: 0, endMs: 1000, stacks });
  return s.profile();
}

describe('hotRows', () => {
  it('counts own innermost and total once per sample (recursion too), a function at its most-seen line', async () => {
    const p = await profileOf([
      stack(1, 'MainThread', [f('g', 5), f('g', 6), f('main', 1)], 7),
      stack(1, 'MainThread', [f('g', 6), f('main', 1)], 2),
      stack(2, 'w', [f('wait', 20, '/usr/lib/python3.11/threading.py')], 10),
    ]);
    const rows = hotRows(p.frames, p.stacks);
    assert.equal(rows.samples, 19);
    const fn = (name: string) => rows.functions.find((r) => r.function === name)!;
    assert.deepEqual(
      [fn('g').own, fn('g').total, fn('g').line],
      [9, 9, 6],
      'g: innermost in 9 samples, counted once in the recursive ones, most often at line 6',
    );
    assert.deepEqual([fn('main').own, fn('main').total], [0, 9]);
    assert.deepEqual(
      rows.lines.map((r) => `${r.function}:${r.line}=${r.own}/${r.total}`),
      ['wait:20=10/10', 'g:5=7/7', 'g:6=2/9', 'main:1=0/9'],
      'hottest first',
    );
    assert.equal(fn('wait').isUserCode, false);
  });

  it("one thread's stacks: its own samples only", async () => {
    const p = await profileOf([stack(1, 'MainThread', [f('spin', 3)], 30), stack(2, 'w', [f('wait', 20)], 10)]);
    const rows = hotRows(
      p.frames,
      p.stacks.filter((s) => s.threadId === 2),
    );
    assert.equal(rows.samples, 10);
    assert.deepEqual(
      rows.lines.map((r) => r.function),
      ['wait'],
    );
  });

  it('the same tables as the profile of all stacks', async () => {
    const p = await profileOf([
      stack(1, 'MainThread', [f('a', 1), f('b', 2), f('c', 3)], 4),
      stack(1, 'MainThread', [f('b', 9), f('c', 3)], 5),
      stack(3, 't', [f('a', 1), f('c', 3)], 2),
    ]);
    const rows = hotRows(p.frames, p.stacks);
    assert.deepEqual(rows.lines, p.lines);
    assert.deepEqual(rows.functions, p.functions);
  });
});
