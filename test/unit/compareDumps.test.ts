// "Still in the same place?" between two dumps of one process, and how long a thread has stood still.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareDumps, comparisonToMarkdown, samePlaceSeconds } from '../../src/core/format/compareDumps';
import type { Frame, StackDump, ThreadStack } from '../../src/core/model';

const frame = (fn: string, line: number, extra: Partial<Frame> = {}): Frame => ({
  function: fn,
  file: '/app/w.py',
  line,
  native: false,
  isUserCode: true,
  localFile: '/p/w.py',
  ...extra,
});
const thread = (id: number, name: string, frames: Frame[]): ThreadStack => ({ id, name, active: false, ownsGil: false, frames });
const dump = (at: string, threads: ThreadStack[]): StackDump => ({ pid: 7, backend: 'py-spy', takenAt: at, durationMs: 1, threads, findings: [] });

describe('compare dumps', () => {
  const older = dump('2026-01-01T00:00:00Z', [
    thread(1, 'MainThread', [frame('recv', 13), frame('main', 30)]),
    thread(2, 'worker', [frame('loop', 5)]),
    thread(3, 'ended', [frame('x', 1)]),
  ]);
  const newer = dump('2026-01-01T00:00:41Z', [
    // Native frames differ between reads of the same wait: ignored.
    thread(1, 'MainThread', [
      frame('__recv', 0, { native: true, file: 'libc.so.6', isUserCode: false, localFile: undefined }),
      frame('recv', 13),
      frame('main', 30),
    ]),
    thread(2, 'worker', [frame('loop', 6)]),
    thread(4, 'fresh', [frame('y', 2)]),
  ]);

  it('classifies each thread: same place, moved, new, ended', () => {
    const c = compareDumps(older, newer);
    assert.deepEqual(
      c.threads.map((t) => [t.name, t.change]),
      [
        ['MainThread', 'same'],
        ['worker', 'moved'],
        ['fresh', 'new'],
        ['ended', 'gone'],
      ],
    );
    assert.equal(c.apartSeconds, 41);
    assert.equal(c.summary, '1 of 3 threads are still in the same place after 41 s.');
    assert.equal(c.threads[1]!.before?.line, 5);
    assert.equal(c.threads[1]!.after?.line, 6);
  });

  it('says when everything stands still or everything moved', () => {
    assert.match(compareDumps(older, older).summary, /^All 3 threads are still in the same place after 0 s: the process looks stuck\.$/);
    const moved = dump(
      '2026-01-01T00:00:02Z',
      older.threads.map((t) => thread(t.id, t.name, [frame('other', 99)])),
    );
    assert.match(compareDumps(older, moved).summary, /^Every thread moved in 2 s/);
  });

  it('matches threads by a unique name when ids changed (a restarted reader)', () => {
    const renumbered = dump('2026-01-01T00:00:05Z', [thread(100, 'worker', [frame('loop', 5)])]);
    assert.equal(compareDumps(older, renumbered).threads.find((t) => t.name === 'worker')?.change, 'same');
  });

  it('renders a Markdown table', () => {
    const md = comparisonToMarkdown(compareDumps(older, newer));
    assert.match(md, /^# Process 7: still in the same place\?/);
    // Locations are Markdown-escaped (`.` and `:` too: no autolink from a file name); they render as written.
    assert.match(md, /\| MainThread \| \*\*same place\*\* \| `recv` \(w\\\.py\\:13\) \| `recv` \(w\\\.py\\:13\) \|/);
    assert.match(md, /\| ended \| ended \| `x` \(w\\\.py\\:1\) \| — \|/);
  });

  it('same place for as long as consecutive dumps show the identical stack', () => {
    const d0 = dump('2026-01-01T00:00:00Z', [thread(1, 'MainThread', [frame('recv', 13)])]);
    const d1 = dump('2026-01-01T00:00:10Z', [thread(1, 'MainThread', [frame('recv', 13)]), thread(2, 'w', [frame('a', 1)])]);
    const d2 = dump('2026-01-01T00:00:30Z', [thread(1, 'MainThread', [frame('recv', 13)]), thread(2, 'w', [frame('a', 2)])]);
    const waited = samePlaceSeconds([d2, d1, d0]);
    assert.equal(waited.get(1), 30);
    assert.equal(waited.has(2), false, 'a thread that moved has no wait');
    assert.equal(samePlaceSeconds([d2]).size, 0);
    assert.equal(samePlaceSeconds([]).size, 0);
  });
});
