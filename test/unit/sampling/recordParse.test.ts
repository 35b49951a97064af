import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SnagError } from '../../../src/core/errors';
import { MAX_RECORD_THREADS, MAX_STACK_DEPTH, parseSpeedscopeRecord } from '../../../src/core/sampling/recordParse';
import { REPO } from '../../support/programs';

const recorded = (name: string) => readFileSync(join(REPO, 'test', 'fixtures', 'outputs', name), 'utf8');
const PROGRAM = '/home/dev/snag/test/fixtures/programs/busy_and_stuck.py';
const file = (profiles: unknown[], frames: unknown[] = [{ name: 'f', file: '/a.py', line: 1 }]) =>
  JSON.stringify({ $schema: 'https://www.speedscope.app/file-format-schema.json', profiles, shared: { frames } });
const profile = (name: string, samples: unknown[]) => ({
  type: 'sampled',
  name,
  unit: 'seconds',
  startValue: 0,
  endValue: 1,
  samples,
  weights: samples.map(() => 0.1),
});

describe('parseSpeedscopeRecord on recorded py-spy record --format speedscope output', () => {
  it('reads each thread with its kernel id and name, its distinct stacks innermost first, with counts', () => {
    const { stacks, clampedThreads } = parseSpeedscopeRecord(recorded('pyspy-record-speedscope-busy-and-stuck.json'));
    assert.equal(clampedThreads, 0);
    const reader = stacks.filter((s) => s.name === 'reader');
    assert.equal(reader.length, 1, 'the stuck thread has one distinct stack');
    assert.deepEqual(reader[0]!.frames.slice(0, 2), [
      { function: 'read_reply', file: PROGRAM, line: 21, native: false },
      { function: 'reader', file: PROGRAM, line: 26, native: false },
    ]);
    assert.equal(reader[0]!.frames.at(-1)!.function, 'Thread._bootstrap');
    assert.equal(reader[0]!.count, 19, 'one count per sample py-spy took (20 Hz, 1 s)');
    assert.deepEqual([...new Set(stacks.map((s) => s.name))].sort(), ['MainThread', 'reader', 'ticker']);
    // py-spy names each profile by the kernel's thread id: the main thread's is the process id.
    assert.equal(stacks.find((s) => s.name === 'MainThread')!.id, 30393);
    assert.equal(new Set(stacks.map((s) => `${s.name}:${s.id}`)).size, 3);
  });

  it('reads native frames (shared object, line 0) from a --native recording', () => {
    const { stacks } = parseSpeedscopeRecord(recorded('pyspy-record-speedscope-native.json'));
    const frames = stacks.flatMap((s) => s.frames);
    assert.ok(frames.some((f) => f.native && f.file.endsWith('libc.so.6') && f.line === 0));
    assert.ok(frames.some((f) => !f.native && f.function === 'tick' && f.line > 0));
  });

  it('says whether every thread came with its kernel id (py-spy can tell which ran only then)', () => {
    assert.equal(parseSpeedscopeRecord(recorded('pyspy-record-speedscope-busy-and-stuck.json')).kernelIds, true);
    assert.equal(parseSpeedscopeRecord(file([profile('Thread 5 "a"', [[0]]), profile('Thread 0x7f0a12345678 ""', [[0]])])).kernelIds, false);
  });

  it('reads hex thread ids and threads py-spy had no name for', () => {
    const { stacks } = parseSpeedscopeRecord(file([profile('Thread 0X7F0A12345678 ""', [[0]])]));
    assert.equal(stacks[0]!.id, 0x7f0a12345678);
    assert.equal(stacks[0]!.name, `Thread ${0x7f0a12345678}`);
  });

  it('merges two profiles of one thread', () => {
    const { stacks } = parseSpeedscopeRecord(file([profile('Thread 5 "a"', [[0]]), profile('Thread 5 "a"', [[0], [0]])]));
    assert.deepEqual(
      stacks.map((s) => [s.id, s.count]),
      [[5, 3]],
    );
  });
});

describe('parseSpeedscopeRecord on hostile recordings', () => {
  it('a name holding newlines, quotes and `;` stays one name: no thread or frame is forged', () => {
    const forged = 'w\nthread (4242): FORGED-THREAD;forged_fn (/etc/shadow:1) 99999';
    const { stacks } = parseSpeedscopeRecord(file([profile(`Thread 7 "Main" 9 "x\n${forged}"`, [[0]])], [{ name: forged, file: '/a.py', line: 3 }]));
    assert.equal(stacks.length, 1);
    assert.equal(stacks[0]!.id, 7, "the id is the one right after 'Thread '");
    assert.equal(stacks[0]!.name, `Main" 9 "x\n${forged}`);
    assert.deepEqual(stacks[0]!.frames, [{ function: forged, file: '/a.py', line: 3, native: false }]);
  });

  it('counts at most the given samples of a thread, and says how many threads were cut', () => {
    const r = parseSpeedscopeRecord(file([profile('Thread 1 "a"', Array(1000).fill([0])), profile('Thread 2 "b"', [[0]])]), 15);
    assert.deepEqual(
      r.stacks.map((s) => [s.id, s.count]),
      [
        [1, 15],
        [2, 1],
      ],
    );
    assert.equal(r.clampedThreads, 1);
  });

  const cases: [string, string][] = [
    ['empty', ''],
    ['random bytes', '\u0000\u001b[2J\uFFFD\u0007 thread (1): T;f (/a.py:1) 3\n'],
    ['raw format', 'thread (1): MainThread;f (/a.py:1) 3\n'],
    ['cut short', file([profile('Thread 1 "a"', [[0]])]).slice(0, 60)],
    ['not an object', '[1,2]'],
    ['no frames', JSON.stringify({ profiles: [] })],
    ['a frame index out of range', file([profile('Thread 1 "a"', [[0, 1]])])],
    ['a fractional frame index', file([profile('Thread 1 "a"', [[0.5]])])],
    ['a sample that is not a list', file([profile('Thread 1 "a"', [0])])],
    ['a name not py-spy', file([profile('py-spy', [[0]])])],
    ['a name with the id elsewhere', file([profile('x Thread 1 "a"', [[0]])])],
    ['an id too large', file([profile(`Thread ${'9'.repeat(16)} "a"`, [[0]])])],
    ['an evented profile', file([{ ...profile('Thread 1 "a"', [[0]]), type: 'evented' }])],
    ['a frame without a name', file([profile('Thread 1 "a"', [[0]])], [{ file: '/a.py', line: 1 }])],
    ['a negative line', file([profile('Thread 1 "a"', [[0]])], [{ name: 'f', file: '/a.py', line: -1 }])],
    ['too many threads', file(Array.from({ length: MAX_RECORD_THREADS + 1 }, (_, i) => profile(`Thread ${i} "t"`, [])))],
  ];
  for (const [what, text] of cases)
    it(`${what}: one tool-failed error saying py-spy's output cannot be read`, () => {
      assert.throws(
        () => parseSpeedscopeRecord(text),
        (err: unknown) => err instanceof SnagError && err.reason === 'tool-failed' && /^py-spy printed output Snag cannot read/.test(err.message),
      );
    });

  it('a recording without samples is no error (the caller says the process went)', () => {
    assert.deepEqual(parseSpeedscopeRecord(file([], [])).stacks, []);
  });

  it('a stack deeper than MAX_STACK_DEPTH keeps its innermost frames only (memory stays bounded)', () => {
    const frames = Array.from({ length: 5000 }, (_, i) => ({ name: `f${i}`, file: '/a.py', line: i + 1 }));
    const sample = frames.map((_, i) => i); // outermost first
    const chunk = parseSpeedscopeRecord(file([profile('Thread 7 "MainThread"', [sample])], frames));
    assert.equal(chunk.stacks[0]!.frames.length, MAX_STACK_DEPTH);
    assert.equal(chunk.stacks[0]!.frames[0]!.function, 'f4999', 'innermost first, kept');
  });
});
