import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseRawFrame, parseRawRecord } from '../../../src/core/sampling/rawParse';
import { REPO } from '../../support/programs';

const recorded = (name: string) => readFileSync(join(REPO, 'test', 'fixtures', 'outputs', name), 'utf8');
const PROGRAM = '/home/dev/snag/test/fixtures/programs/busy_and_stuck.py';

describe('parseRawRecord on recorded py-spy record --format raw output', () => {
  it('reads one stack per line with its thread, frames innermost first, and count', () => {
    const stacks = parseRawRecord(recorded('pyspy-record-raw-busy-and-stuck.txt'));
    const reader = stacks.filter((s) => s.threadName === 'reader');
    assert.equal(reader.length, 1, 'the stuck thread has one distinct stack');
    assert.deepEqual(reader[0]!.frames.slice(0, 2), [
      { function: 'read_reply', file: PROGRAM, line: 21, native: false },
      { function: 'reader', file: PROGRAM, line: 26, native: false },
    ]);
    assert.equal(reader[0]!.frames.at(-1)!.function, 'Thread._bootstrap');
    assert.ok(reader[0]!.count > 0);
    assert.deepEqual([...new Set(stacks.map((s) => s.threadName))].sort(), ['MainThread', 'reader', 'ticker']);
    // py-spy prints the native thread id: the main thread's equals the process id it recorded.
    const ids = new Set(stacks.map((s) => `${s.threadName}:${s.threadId}`));
    assert.equal(ids.size, 3);
  });

  it('reads native frames (shared object, no line) from a --native recording', () => {
    const stacks = parseRawRecord(recorded('pyspy-record-raw-native.txt'));
    const native = stacks.flatMap((s) => s.frames).filter((f) => f.native);
    assert.ok(native.some((f) => f.file.endsWith('libc.so.6') && f.line === 0));
    assert.ok(stacks.flatMap((s) => s.frames).some((f) => !f.native && f.function === 'tick' && f.line > 0));
  });

  it("skips py-spy's own messages and blank lines", () => {
    const text =
      "py-spy> Sampling process 10 times a second for 1 seconds. Press Control-C to exit.\n\nthread (42): MainThread;<module> (/a b/x.py:3);f (/a b/x.py:7) 5\npy-spy> Wrote raw flamegraph data to 'out'. Samples: 5 Errors: 0\n";
    assert.deepEqual(parseRawRecord(text), [
      {
        threadId: 42,
        threadName: 'MainThread',
        count: 5,
        frames: [
          { function: 'f', file: '/a b/x.py', line: 7, native: false },
          { function: '<module>', file: '/a b/x.py', line: 3, native: false },
        ],
      },
    ]);
  });

  it('reads hex thread ids and unnamed threads', () => {
    const [s] = parseRawRecord('thread (0x7F0A12345678);f (/x.py:1) 2\n');
    assert.equal(s!.threadId, 0x7f0a12345678);
    assert.equal(s!.threadName, `Thread ${0x7f0a12345678}`);
  });

  it('parses frames with parentheses in the function name', () => {
    assert.deepEqual(parseRawFrame('<lambda> (/x (copy).py:9)'), { function: '<lambda>', file: '/x (copy).py', line: 9, native: false });
    assert.deepEqual(parseRawFrame('0x7f7deb9278ec (/usr/lib/x86_64-linux-gnu/libc.so.6)'), {
      function: '0x7f7deb9278ec',
      file: '/usr/lib/x86_64-linux-gnu/libc.so.6',
      line: 0,
      native: true,
    });
  });
});

describe('parseRawRecord on hostile lines', () => {
  it('skips lines whose count or thread id is not a plain number, and never throws', () => {
    const lines = [
      'thread (0x1): MainThread;f (/a.py:1) 1e3',
      'thread (0x1): MainThread;f (/a.py:1) Infinity',
      'thread (0x1): MainThread;f (/a.py:1) -4',
      `thread (${'9'.repeat(30)}): T;f (/a.py:1) 2`,
      'thread (0x1): MainThread;f (/a.py:1) 99999999999999999999',
      'thread (0x1',
      ';;;; 3',
      '\u0000\u001b[2J 5',
      'thread (0x1): MainThread;f (/a.py:1) 3',
    ];
    const samples = parseRawRecord(lines.join('\n'));
    assert.equal(samples.length, 1);
    assert.equal(samples[0]!.count, 3);
  });
});
