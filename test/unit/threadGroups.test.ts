// Threads waiting alike in one place, grouped once for findings, the Stacks view and the text dump.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupHeadline, groupLabel, groupThreads, someNames } from '../../src/core/stacks/threadGroups';
import type { Frame, ThreadStack } from '../../src/core/model';
import { lib, nat, thread, THREAD_BOOTSTRAP } from './findings/dumpBuilder';

const user = (fn: string, line: number, file = '/app/pool.py'): Frame => ({
  function: fn,
  file,
  line,
  native: false,
  localFile: file,
  isUserCode: true,
  origin: 'user',
});
const waiter = (name: string, extra: Frame[] = []) => thread(name, [user('work', 12), ...extra, user('run_worker', 30), ...THREAD_BOOTSTRAP]);

describe('groupThreads', () => {
  it('three or more threads in the same place form one group, in the place of its first thread', () => {
    const main = thread('MainThread', [user('main', 40)]);
    const ws = [0, 1, 2, 3].map((i) => waiter(`w${i}`));
    const other = thread('other', [user('elsewhere', 50)]);
    const groups = groupThreads([main, ws[0]!, other, ws[1]!, ws[2]!, ws[3]!]);
    assert.deepEqual(
      groups.map((g) => g.threads.map((t) => t.name)),
      [['MainThread'], ['w0', 'w1', 'w2', 'w3'], ['other']],
    );
    const g = groups[1]!;
    assert.equal(g.sameStack, true);
    assert.equal(g.shared, ws[0]!.frames.length);
    assert.equal(g.at, ws[0]!.frames[0]);
    assert.equal(groupLabel(g), '4 threads wait at pool.py:12 (work)');
  });

  it('two threads in one place stay two (a two-thread deadlock reads as it is)', () => {
    const groups = groupThreads([waiter('a'), waiter('b')]);
    assert.deepEqual(
      groups.map((g) => g.threads.length),
      [1, 1],
    );
  });

  it('the place is the frames through the innermost user frame: outer frames may differ', () => {
    const a = waiter('a');
    const b = waiter('b');
    const c = thread('c', [user('work', 12), user('run_worker', 30), user('other_entry', 7)]);
    const [g] = groupThreads([a, b, c]);
    assert.equal(g!.threads.length, 3);
    assert.equal(g!.sameStack, false);
    assert.equal(g!.shared, 2, 'work and run_worker are alike, what calls them is not');
    assert.match(groupHeadline(g!), /^3 threads \(idle\), the same innermost 2 frames: "a", "b" and "c"$/);
  });

  it('a different line, a different library frame, or running versus waiting is another place', () => {
    const at = (name: string, frames: Frame[], active = false) => thread(name, frames, { active });
    const base = [lib('Lock.acquire', 'threading.py', 5), user('work', 12)];
    const threads = [
      ...[1, 2, 3].map((i) => at(`lock${i}`, base)),
      ...[1, 2, 3].map((i) => at(`line${i}`, [lib('Lock.acquire', 'threading.py', 5), user('work', 13)])),
      ...[1, 2].map((i) => at(`busy${i}`, base, true)),
      at('busy3', base, true),
    ];
    assert.deepEqual(
      groupThreads(threads).map((g) => g.threads.length),
      [3, 3, 3],
    );
  });

  it('native frames count by function and module; threads without frames are never grouped', () => {
    const n = () => thread('n', [nat('epoll_wait', 'libc.so.6'), nat('poll_loop', 'libapp.so')]);
    const empty = () => thread('e', []);
    assert.deepEqual(
      groupThreads([n(), n(), n(), empty(), empty(), empty()]).map((g) => g.threads.length),
      [3, 1, 1, 1],
    );
  });

  it('500 threads × 60 frames group in well under a second', () => {
    const deep = Array.from({ length: 59 }, () => user('descend', 16));
    const threads = Array.from({ length: 500 }, (_, i) => thread(`worker-${i}`, [user('descend', 18), ...deep]));
    const started = process.hrtime.bigint();
    const groups = groupThreads(threads);
    assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 500);
    assert.equal(groups.length, 1);
    assert.equal(groups[0]!.shared, 60);
  });
});

describe('someNames', () => {
  it('lists a few names, then how many more, within a budget', () => {
    assert.equal(someNames(['a']), 'a');
    assert.equal(someNames(['a', 'b', 'c']), 'a, b and c');
    assert.equal(someNames(['a', 'b', 'c', 'd', 'e']), 'a, b, c and 2 more');
    assert.equal(someNames(['aaaa', 'bbbb', 'cccc'], 3, 8), 'aaaa and 2 more');
    const long = someNames(['x'.repeat(5000), 'y'], 3);
    assert.ok(long.length < 60, long);
  });

  it('headlines name the threads compactly, capped', () => {
    const ts: ThreadStack[] = Array.from({ length: 500 }, (_, i) => waiter(`worker-${i}`));
    const h = groupHeadline(groupThreads(ts)[0]!);
    assert.match(h, /^500 threads \(idle\), one stack: "worker-0", "worker-1", .* and \d+ more$/);
    assert.ok(h.length <= 200, h);
  });
});
