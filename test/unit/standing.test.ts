// One rule for where a thread stands, used by markers, findings, comparisons and sampling.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stoppedFrame } from '../../src/core/format/frameMarks';
import { anchorFrame } from '../../src/core/findings/frames';
import type { Frame, ThreadStack } from '../../src/core/model';
import { standsAt } from '../../src/core/stacks/standing';

const f = (fn: string, o: Partial<Frame> = {}): Frame => ({ function: fn, file: `/x/${fn}.py`, line: 10, native: false, isUserCode: false, ...o });
const thread = (frames: Frame[]): ThreadStack => ({ id: 1, name: 'T', active: false, ownsGil: false, frames });

describe('standsAt', () => {
  const cases: [string, Frame[], string | undefined][] = [
    [
      'the innermost user frame wins over library and native frames',
      [f('recv', { native: true, line: 0 }), f('readinto'), f('fetch', { isUserCode: true }), f('main', { isUserCode: true })],
      'fetch',
    ],
    [
      'no user code: the innermost Python frame with a line',
      [f('epoll_wait', { native: true, line: 0 }), f('<frozen>', { line: 0 }), f('select'), f('run')],
      'select',
    ],
    ['only native frames: the innermost one', [f('futex', { native: true, line: 0 }), f('clone', { native: true, line: 0 })], 'futex'],
    ['no frames: nothing', [], undefined],
  ];
  for (const [what, frames, want] of cases) {
    it(what, () => {
      assert.equal(standsAt(frames)?.function, want);
      // The marker, the finding and (through the same function) sampling agree.
      assert.equal(stoppedFrame(thread(frames))?.function, want);
      assert.equal(anchorFrame(thread(frames))?.function, want);
    });
  }
});
