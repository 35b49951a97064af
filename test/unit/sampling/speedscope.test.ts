import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SnagError } from '../../../src/core/errors';
import { Sampler } from '../../../src/core/sampling/sampler';
import { fromSpeedscope, toSpeedscope } from '../../../src/core/sampling/speedscope';
import { REPO } from '../../support/programs';

describe('speedscope files', () => {
  it('a saved session loads back with the same counts, lines and thread status', async () => {
    const s = new Sampler({ pid: 99, rateHz: 20, method: 'py-spy record', label: 'w.py (pid 99)', stuckAfterSeconds: 2 });
    const fr = (fn: string, line: number) => ({ function: fn, file: '/app/w.py', line, native: false });
    for (let i = 0; i < 3; i++)
      await s.add({
        startMs: i * 1000,
        endMs: (i + 1) * 1000,
        activeThreads: [2],
        stacks: [
          { id: 1, name: 'MainThread', frames: [fr('recv', 17), fr('main', 3)], count: 20 },
          { id: 2, name: 'hot', frames: [fr('crunch', 30 + i), fr('main', 5)], count: 20 },
          { id: 2, name: 'hot', frames: [{ function: 'memcpy', file: '/usr/lib/libc.so.6', line: 0, native: true }, fr('crunch', 33)], count: 1 },
        ],
      });
    const saved = s.profile();
    const json = toSpeedscope(saved, 'snag@test');
    const file = JSON.parse(json);
    assert.equal(file.$schema, 'https://www.speedscope.app/file-format-schema.json');
    assert.deepEqual(
      file.profiles.map((p: { name: string; type: string }) => [p.type, p.name]),
      [
        ['sampled', 'Thread 1 "MainThread"'],
        ['sampled', 'Thread 2 "hot"'],
      ],
    );
    // speedscope wants outermost first.
    assert.equal(file.shared.frames[file.profiles[0].samples[0][0]].name, 'main');

    const loaded = await fromSpeedscope(json, 'w.json');
    assert.equal(loaded.samples, saved.samples);
    assert.equal(loaded.method, 'loaded from w.json');
    assert.equal(loaded.pid, 99);
    assert.deepEqual(
      loaded.lines.map((l) => [l.function, l.line, l.own, l.total]),
      saved.lines.map((l) => [l.function, l.line, l.own, l.total]),
    );
    assert.deepEqual(
      loaded.threads.map((t) => [t.name, t.status, t.sameStackSeconds]),
      saved.threads.map((t) => [t.name, t.status, t.sameStackSeconds]),
    );
    assert.ok(
      loaded.lines.some((l) => l.function === 'memcpy' && l.line === 0),
      'native frames survive',
    );
  });

  it('loads a py-spy record --format speedscope file (its thread root frames dropped)', async () => {
    const text = readFileSync(join(REPO, 'test', 'fixtures', 'outputs', 'pyspy-record-speedscope.json'), 'utf8');
    const p = await fromSpeedscope(text, 'py-spy.json');
    assert.deepEqual(p.threads.map((t) => t.name).sort(), ['MainThread', 'reader', 'ticker']);
    assert.equal(p.rateHz, 20, 'the rate comes from the weights');
    assert.equal(p.samples, 57);
    assert.ok(!p.lines.some((l) => l.function.startsWith('thread (')));
    const reader = p.lines.find((l) => l.function === 'read_reply')!;
    assert.deepEqual([reader.own, reader.total, reader.line], [19, 19, 21]);
  });

  it('refuses what it cannot read, with a reason', async () => {
    for (const [text, why] of [
      ['not json', /not JSON/],
      ['{"profiles":[]}', /no speedscope \$schema/],
      [
        '{"$schema":"https://www.speedscope.app/file-format-schema.json","shared":{"frames":[]},"profiles":[{"type":"evented","name":"x","unit":"none","startValue":0,"endValue":1,"events":[]}]}',
        /evented/,
      ],
    ] as const)
      await assert.rejects(fromSpeedscope(text, 'x'), (err: unknown) => SnagError.is(err, 'bad-input') && why.test((err as Error).message));
  });
});
