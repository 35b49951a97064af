// The Sampling page's view model, built on the host from the whole profile: thread rows, one
// thread's tables (from all its stacks, not a cut of them), the flame graph's cells.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SampleFrame, StackSample } from '../../../src/core/model';
import { Sampler } from '../../../src/core/sampling/sampler';
import { flameGraph } from '../../../src/extension/sampling/flameGraph';
import { samplingPageModel } from '../../../src/extension/sampling/pageModel';

const f = (fn: string, line: number, file = '/app/w.py'): SampleFrame => ({ function: fn, file, line, native: false });
const stack = (threadId: number, threadName: string, frames: SampleFrame[], count: number): StackSample => ({ id: threadId, name: threadName, frames, count });
/** Local files open; others (the standard library) do not. */
const documentOf = (x: { file: string; localFile?: string }) => x.localFile;

async function profileOf(batches: StackSample[][]) {
  const s = new Sampler({
    pid: 1,
    rateHz: 10,
    method: 'py-spy record',
    stuckAfterSeconds: 2,
    mapFrame: async (fr) => (fr.file.startsWith('/app/') ? { isUserCode: true, localFile: `/ws${fr.file.slice(4)}` } : { isUserCode: false }),
  });
  for (const [i, stacks] of batches.entries()) await s.add({ startMs: i * 1000, endMs: (i + 1) * 1000, stacks });
  return s.profile();
}

const recv = [f('recv_into', 0, '/usr/lib/python3.11/socket.py'), f('read_reply', 12), f('run', 30)];
const model = async (thread: 'all' | number, batches: StackSample[][]) =>
  samplingPageModel({
    snapshot: { state: 'running', rateHz: 10, title: 'python3 w.py (pid 1) on Local', profile: await profileOf(batches) },
    thread,
    startAgain: false,
    documentOf,
  });

describe('Sampling page model', () => {
  it('thread rows carry the status, the headline and where a click opens, computed on the host', async () => {
    const busy = (i: number) => stack(1, 'MainThread', [f('checksum', 40 + (i % 2)), f('main', 50)], 10);
    const m = await model(
      'all',
      [0, 1, 2].map((i) => [busy(i), stack(2, 'reader', recv, 10)]),
    );
    const reader = m.profile!.threads.find((t) => t.name === 'reader')!;
    assert.equal(reader.status, 'stuck');
    assert.match(reader.headline, /^reader stuck for 3 s at read_reply \(w\.py:12\)/);
    assert.deepEqual(reader.open, { file: '/ws/w.py', line: 12 });
    assert.equal(reader.samples, 30);
    assert.equal(m.profile!.facts, '60 thread-samples · 3.0 s · py-spy record');
    assert.equal(m.title, 'python3 w.py (pid 1) on Local');
  });

  it("one thread's tables: shares of its own samples, counted from every one of its stacks", async () => {
    // More distinct stacks than the page used to get (4,000): the thread's shares still add up.
    const many = Array.from({ length: 4500 }, (_, i) => stack(1, 'MainThread', [f('step', 1000 + i), f('main', 50)], 1));
    const m = await model(1, [[...many, stack(2, 'reader', recv, 9000)]]);
    const t = m.profile!.tables;
    assert.equal(t.thread, 1);
    assert.equal(t.samples, 4500);
    const main = t.functions.find((r) => r.function === 'main')!;
    assert.equal(main.totalPct, 100, 'main is on every one of MainThread’s stacks');
    const step = t.functions.find((r) => r.function === 'step')!;
    assert.equal(step.ownPct, 100);
    assert.ok(!t.functions.some((r) => r.function === 'read_reply'), 'no other thread’s rows');
    assert.equal(t.lines.length, 300, 'the table is capped');
  });

  it('all threads: the profile’s tables as shares of all samples; an unknown thread falls back to all', async () => {
    const m = await model(99, [[stack(1, 'MainThread', [f('spin', 3)], 30), stack(2, 'reader', recv, 10)]]);
    const t = m.profile!.tables;
    assert.equal(t.thread, 'all');
    assert.equal(t.samples, 40);
    const spin = t.lines.find((r) => r.function === 'spin')!;
    assert.deepEqual([spin.ownPct, spin.location, spin.tooltip, spin.open], [75, 'w.py:3', '/ws/w.py', { file: '/ws/w.py', line: 3 }]);
    const lib = t.lines.find((r) => r.function === 'recv_into')!;
    assert.equal(lib.open, undefined, 'a native line without a file here does not open');
    assert.equal(lib.tooltip, '/usr/lib/python3.11/socket.py (not in this workspace)');
    assert.equal(t.functions.find((r) => r.function === 'read_reply')!.location, 'w.py');
  });

  it('the flame graph: one root per thread, callees below callers, keys by call path', async () => {
    const p = await profileOf([
      [stack(1, 'MainThread', [f('checksum', 40), f('main', 50)], 300), stack(1, 'MainThread', [f('tiny', 1), f('main', 50)], 1), stack(2, 'reader', recv, 99)],
    ]);
    const g = flameGraph(p, 'all', documentOf);
    const roots = g.cells.filter((c) => c.kind === 'thread');
    assert.deepEqual(
      roots.map((c) => [c.label, c.leftPct, c.widthPct]),
      [
        ['MainThread', 0, 75.25],
        ['reader', 75.25, 24.75],
      ],
    );
    const hot = g.cells.find((c) => c.label === 'checksum (w.py:40)')!;
    const main = g.cells.find((c) => c.label === 'main (w.py:50)')!;
    assert.equal(main.depth, 1);
    assert.equal(hot.depth, 2);
    assert.equal(hot.key, `${main.key}/f${p.frames.findIndex((x) => x.function === 'checksum')}`);
    assert.equal(hot.kind, 'user');
    assert.deepEqual(hot.open, { file: '/ws/w.py', line: 40 });
    assert.match(hot.tooltip, /^checksum \(w\.py:40\) — 300 samples \(75\.0 %\)$/);
    assert.equal(g.depth, 4, 'thread, run, read_reply, recv_into');
    assert.ok(!g.cells.some((c) => c.label.startsWith('tiny')), 'boxes too narrow to see are left out');
    const one = flameGraph(p, 2, documentOf);
    assert.deepEqual(
      one.cells.map((c) => [c.label, c.depth, c.widthPct]),
      [
        ['run (w.py:30)', 0, 100],
        ['read_reply (w.py:12)', 1, 100],
        ['recv_into (socket.py)', 2, 100],
      ],
    );
    assert.equal(one.cells[2]!.kind, 'lib');
  });
});
