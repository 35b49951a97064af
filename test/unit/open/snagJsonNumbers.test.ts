// A saved Snag dump is the user's file, maybe forged: its pid, thread ids and line numbers must be
// whole numbers in range (a line of -5 or 1e300, a pid of -7 are refused, naming the field); a
// takenAt that is no date is dropped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SourceMapper } from '../../../src/core/mapping/sourceMap';
import { openDump } from '../../../src/core/open/openDump';

const dump = (over: { pid?: unknown; line?: unknown; id?: unknown; takenAt?: unknown }) =>
  JSON.stringify({
    pid: over.pid ?? 4242,
    backend: 'py-spy',
    takenAt: over.takenAt ?? '2026-01-02T03:04:05.000Z',
    threads: [{ id: over.id ?? 7, name: 'MainThread', active: false, ownsGil: false, frames: [{ function: 'f', file: 'app.py', line: over.line ?? 3 }] }],
  });

const open = (text: string) => openDump({ kind: 'text', text }, { mapper: new SourceMapper({ workspaceRoots: [] }), name: 'd.json', from: 'paste' });

describe('saved Snag dumps: numbers in range', () => {
  for (const [what, over, field] of [
    ['a negative line', { line: -5 }, /line should be a whole number from 0 up, is -5/],
    ['a huge line', { line: 1e300 }, /line should be a whole number from 0 up/],
    ['a fractional line', { line: 2.5 }, /line should be a whole number/],
    ['a negative pid', { pid: -7 }, /pid should be a whole number from 0 up, is -7/],
    ['a pid of 0', { pid: 0 }, /pid should be a whole number from 1 up/],
    ['a negative thread id', { id: -1 }, /id should be a whole number/],
  ] as const)
    it(`${what} is refused`, async () => {
      await assert.rejects(open(dump(over)), field);
    });

  it('in range, it opens; a takenAt that is not a date is dropped', async () => {
    const d = await open(dump({}));
    assert.equal(d.pid, 4242);
    assert.equal(d.threads[0]!.frames[0]!.line, 3);
    assert.equal(d.takenAt, '2026-01-02T03:04:05.000Z');
    const odd = await open(dump({ takenAt: 'not a date' }));
    assert.notEqual(odd.takenAt, 'not a date');
  });
});
