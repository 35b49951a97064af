import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { SampleBatch, SampleFrame, StackSample } from '../../../src/core/model';
import { describeThread } from '../../../src/core/format/profileText';
import { MAX_FRAMES, MAX_STACKS, OTHER_STACKS, Sampler } from '../../../src/core/sampling/sampler';
import { parseSpeedscopeRecord } from '../../../src/core/sampling/recordParse';
import { REPO } from '../../support/programs';

const f = (fn: string, line: number, file = '/app/w.py'): SampleFrame => ({ function: fn, file, line, native: false });
const stack = (threadId: number, threadName: string, frames: SampleFrame[], count = 10): StackSample => ({ id: threadId, name: threadName, frames, count });
const batch = (startS: number, stacks: StackSample[], activeThreads?: number[]): SampleBatch => ({
  startMs: startS * 1000,
  endMs: (startS + 1) * 1000,
  stacks,
  activeThreads,
});
const userCode = async (fr: SampleFrame) => ({
  isUserCode: fr.file.startsWith('/app/'),
  localFile: fr.file.startsWith('/app/') ? `/ws${fr.file.slice(4)}` : undefined,
});

describe('Sampler', () => {
  it('own counts add up to all samples; totals count a line once per sample', async () => {
    const s = new Sampler({ pid: 1, rateHz: 10, method: 'test' });
    // Recursion: g appears twice on one stack, its total must still count the sample once.
    await s.add(
      batch(0, [
        stack(1, 'MainThread', [f('g', 5), f('g', 5), f('main', 1)], 7),
        stack(1, 'MainThread', [f('h', 9), f('main', 1)], 3),
        stack(2, 'w', [f('wait', 20)], 10),
      ]),
    );
    const p = s.profile();
    assert.equal(p.samples, 20);
    assert.equal(
      p.lines.reduce((a, l) => a + l.own, 0),
      p.samples,
    );
    assert.equal(
      p.functions.reduce((a, l) => a + l.own, 0),
      p.samples,
    );
    const line = (fn: string) => p.lines.find((l) => l.function === fn)!;
    assert.deepEqual([line('g').own, line('g').total], [7, 7]);
    assert.deepEqual([line('main').own, line('main').total], [0, 10]);
    assert.ok(p.lines.every((l) => l.total >= l.own && l.total <= p.samples));
    assert.deepEqual(
      p.lines
        .slice(0, 2)
        .map((l) => l.function)
        .sort(),
      ['g', 'wait'],
      'hottest first',
    );
  });

  it('reports a thread stuck once its stack stayed the same for the threshold while idle', async () => {
    const s = new Sampler({ pid: 1, rateHz: 10, method: 'test', stuckAfterSeconds: 3, mapFrame: userCode });
    const stuck = [f('recv_into', 0, '/usr/lib/python3.11/socket.py'), f('fetch', 17), f('main', 3)];
    let busyLine = 40;
    for (let i = 0; i < 4; i++) {
      await s.add(batch(i, [stack(7, 'MainThread', stuck), stack(8, 'cruncher', [f('crunch', busyLine++)])], [8]));
      const main = s.profile().threads.find((t) => t.name === 'MainThread')!;
      // After 3 one-second batches the stack has stood for 3 s.
      assert.equal(main.status, i >= 2 ? 'stuck' : 'idle', `after batch ${i}`);
    }
    const p = s.profile();
    const [first, second] = p.threads;
    assert.equal(first!.name, 'MainThread', 'stuck threads come first');
    assert.equal(first!.sameStackSeconds, 4);
    assert.deepEqual(first!.at, { ...f('fetch', 17), localFile: '/ws/w.py', isUserCode: true }, 'at: the innermost user frame');
    assert.equal(describeThread(first!), 'MainThread stuck for 4 s at fetch (w.py:17)');
    assert.equal(second!.status, 'busy');
    assert.ok((second!.sameStackSeconds ?? 0) <= 1, 'a new line every second');
  });

  it('a running thread on one line is busy, never stuck', async () => {
    const s = new Sampler({ pid: 1, rateHz: 10, method: 'test', stuckAfterSeconds: 2 });
    for (let i = 0; i < 5; i++) await s.add(batch(i, [stack(1, 'spin', [f('spin', 3)])], [1]));
    const [t] = s.profile().threads;
    assert.equal(t!.status, 'busy');
    assert.equal(t!.sameStackSeconds, 5);
    assert.equal(describeThread(t!, 2), 'spin busy on one line for 5 s at spin (w.py:3)');
  });

  it('a change of stack, or several stacks in one batch, starts the clock again', async () => {
    const s = new Sampler({ pid: 1, rateHz: 10, method: 'test', stuckAfterSeconds: 2 });
    const a = [f('poll', 10)];
    const b = [f('poll', 11)];
    await s.add(batch(0, [stack(1, 't', a)], []));
    await s.add(batch(1, [stack(1, 't', a, 5), stack(1, 't', b, 5)], []));
    await s.add(batch(2, [stack(1, 't', b)], []));
    assert.equal(s.profile().threads[0]!.status, 'idle', 'moving between lines: not stuck');
    await s.add(batch(3, [stack(1, 't', b)], []));
    await s.add(batch(4, [stack(1, 't', b)], []));
    const [t] = s.profile().threads;
    assert.equal(t!.status, 'stuck');
    assert.equal(t!.sameStackSeconds, 3, 'since the batch after the mixed one began');
  });

  it('repeated dumps: instants that say which threads are active', async () => {
    const s = new Sampler({ pid: 1, rateHz: 10, method: 'test', stuckAfterSeconds: 1 });
    for (let ms = 0; ms <= 1500; ms += 100)
      await s.add({ startMs: ms, endMs: ms, stacks: [stack(1, 'MainThread', [f('sleep', 4)], 1), stack(2, 'hot', [f('x', ms)], 1)], activeThreads: [2] });
    const p = s.profile();
    assert.equal(p.samples, 32);
    assert.equal(p.threads.find((t) => t.name === 'MainThread')!.status, 'stuck');
    assert.equal(p.threads.find((t) => t.name === 'hot')!.status, 'busy');
  });

  it('busy by most of the last looks: a thread that wakes now and then is not busy because one look caught it', async () => {
    const s = new Sampler({ pid: 1, rateHz: 10, method: 'test' });
    const ticks = [false, false, true, false, false, true, false];
    for (const [i, running] of ticks.entries()) {
      await s.add({
        startMs: i * 1000,
        endMs: i * 1000 + 1000,
        stacks: [stack(7, 'ticker', [f('tick', 31 + (i % 2))], 10), stack(8, 'worker', [f('crunch', 40 + (i % 2))], 10)],
        activeThreads: running ? [7, 8] : [8],
      });
      const by = Object.fromEntries(s.profile().threads.map((t) => [t.name, t.status]));
      assert.equal(by.ticker, 'idle', `after look ${i}`);
      assert.equal(by.worker, 'busy', `after look ${i}`);
    }
  });

  it('GIL starvation without native frames: running on a sleep line while another thread runs holding the GIL is stuck on the GIL', async () => {
    // The explainer as the rules say it: the heartbeat's line is a sleep, which would be idle while it waits.
    const s = new Sampler({
      pid: 1,
      rateHz: 10,
      method: 'test',
      stuckAfterSeconds: 1,
      explainStack: async (t) => (t.name === 'heartbeat' ? { kind: 'sleep', severity: 'info', phrase: 'sleeps in time.sleep', parked: true } : undefined),
    });
    for (let i = 0; i < 4; i++)
      await s.add({
        ...batch(i, [stack(1, 'MainThread', [f('validate', 20)]), stack(2, 'heartbeat', [f('heartbeat', 15)])]),
        activeThreads: [1, 2],
        gilThread: 1,
      });
    const by = Object.fromEntries(s.profile().threads.map((t) => [t.name, t]));
    assert.equal(by.heartbeat!.status, 'stuck');
    assert.equal(by.heartbeat!.wait?.phrase, 'waits for the GIL, held by MainThread at w.py:20 (validate)');
    assert.equal(by.MainThread!.status, 'busy');
    // Without a thread holding the GIL (none said, or the same looks with no GIL owner), a running thread is busy.
    const t = new Sampler({
      pid: 1,
      rateHz: 10,
      method: 'test',
      stuckAfterSeconds: 1,
      explainStack: async () => ({ kind: 'sleep', severity: 'info', phrase: 'sleeps in time.sleep' }),
    });
    for (let i = 0; i < 4; i++)
      await t.add({ ...batch(i, [stack(1, 'MainThread', [f('validate', 20)]), stack(2, 'heartbeat', [f('heartbeat', 15)])]), activeThreads: [1, 2] });
    assert.equal(t.profile().threads.find((x) => x.name === 'heartbeat')!.status, 'busy');
  });

  it('the recorded py-spy chunk: the stuck reader and the idle-but-moving ticker differ', async () => {
    const { stacks } = parseSpeedscopeRecord(readFileSync(join(REPO, 'test', 'fixtures', 'outputs', 'pyspy-record-speedscope-busy-and-stuck.json'), 'utf8'));
    const main = stacks.find((st) => st.name === 'MainThread')!.id;
    const s = new Sampler({ pid: main, rateHz: 20, method: 'py-spy record', stuckAfterSeconds: 3 });
    for (let i = 0; i < 4; i++) await s.add(batch(i, stacks, [main]));
    const status = Object.fromEntries(s.profile().threads.map((t) => [t.name, t.status]));
    assert.deepEqual(status, { reader: 'stuck', MainThread: 'busy', ticker: 'idle' });
  });

  it('maps each distinct frame once', async () => {
    let calls = 0;
    const s = new Sampler({ pid: 1, rateHz: 10, method: 'test', mapFrame: async (fr) => (calls++, userCode(fr)) });
    for (let i = 0; i < 10; i++) await s.add(batch(i, [stack(1, 'm', [f('a', 1), f('b', 2)])]));
    assert.equal(calls, 2);
    const p = s.profile();
    assert.deepEqual(
      p.lines.map((l) => [l.function, l.localFile, l.isUserCode]),
      [
        ['a', '/ws/w.py', true],
        ['b', '/ws/w.py', true],
      ],
    );
    assert.equal(p.stacks.length, 1, 'one distinct stack, counted');
    assert.equal(p.stacks[0]!.count, 100);
  });
});

describe('Sampler memory bounds', () => {
  it(`keeps ${MAX_STACKS} distinct stacks; further new ones count as "(other stacks)" of their thread, said in a note`, async () => {
    let mapped = 0;
    const s = new Sampler({ pid: 1, rateHz: 10, method: 'test', mapFrame: async (fr) => (mapped++, userCode(fr)) });
    const extra = 500;
    const many = Array.from({ length: MAX_STACKS + extra }, (_, i) => stack(1 + (i % 2), `t${i % 2}`, [f(`fn${i}`, 1)], 1));
    await s.add(batch(0, many));
    await s.add(batch(1, many)); // the kept ones count again, the others go on into the bucket
    const p = s.profile();
    assert.equal(p.stacks.length, MAX_STACKS + 2, 'the kept stacks and one bucket per thread');
    assert.ok(p.frames.length <= MAX_FRAMES + 1 && mapped <= MAX_FRAMES, 'frames of dropped stacks are neither kept nor mapped');
    const other = p.stacks.filter((st) => p.frames[st.frames[0]!]!.function === OTHER_STACKS);
    assert.equal(other.length, 2);
    assert.equal(
      other.reduce((n, st) => n + st.count, 0),
      2 * extra,
    );
    assert.equal(p.samples, 2 * (MAX_STACKS + extra), 'every sample still counts');
    assert.equal(
      p.lines.reduce((n, l) => n + l.own, 0),
      p.samples,
    );
    assert.ok(p.notes?.some((n) => n.includes(`${2 * extra} samples of further new stacks`)));
  });

  it('a thread that stays on a stack beyond the cap is still found stuck, where it stands', async () => {
    const s = new Sampler({ pid: 1, rateHz: 10, method: 'test', stuckAfterSeconds: 2 });
    const filler = Array.from({ length: MAX_STACKS }, (_, i) => stack(1, 'busy', [f(`fn${i}`, 1)], 1));
    await s.add(batch(0, filler));
    for (let i = 1; i <= 4; i++) await s.add(batch(i, [stack(9, 'late', [f('recv', 17), f('main', 3)])], []));
    const late = s.profile().threads.find((t) => t.name === 'late')!;
    assert.equal(late.status, 'stuck');
    assert.equal(late.at?.function, 'recv');
  });
});
