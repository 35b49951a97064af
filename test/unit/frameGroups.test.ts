// Which frames stay visible in the Stacks view and which fold into "N library frames".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupFrames } from '../../src/core/format/frameGroups';
import type { Frame } from '../../src/core/model';

const lib = (fn: string): Frame => ({ function: fn, file: '/usr/lib/python3.11/x.py', line: 1, native: false, isUserCode: false, origin: 'stdlib' });
const user = (fn: string): Frame => ({ function: fn, file: '/p/a.py', line: 1, native: false, isUserCode: true, origin: 'user' });

function shape(frames: Frame[]): string {
  return groupFrames(frames)
    .map((r) => (r.kind === 'frame' ? r.frame.function : `[${r.frames.map((f) => f.frame.function).join(',')}]`))
    .join(' ');
}

describe('frame groups', () => {
  it('keeps the innermost frame and user frames; folds runs of two or more library frames', () => {
    assert.equal(
      shape([lib('recv_into'), lib('read'), lib('readinto'), user('download'), lib('a'), user('main'), lib('b'), lib('c')]),
      'recv_into [read,readinto] download a main [b,c]',
    );
  });
  it('keeps frames with a note (a finalizer called by the GC) visible', () => {
    assert.equal(shape([lib('x'), lib('y'), { ...lib('__del__'), note: 'called from the garbage collector' }, lib('z'), lib('w')]), 'x y __del__ [z,w]');
  });
  it('indexes point into the thread frames', () => {
    const rows = groupFrames([lib('a'), lib('b'), lib('c'), user('d')]);
    assert.deepEqual(
      rows.map((r) => (r.kind === 'frame' ? r.index : r.frames.map((f) => f.index))),
      [0, [1, 2], 3],
    );
  });
  it('an empty stack has no rows', () => assert.deepEqual(groupFrames([]), []));
});
