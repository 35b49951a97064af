import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labelThreads, quotedName, who } from '../../../src/core/findings/threadLabel';
import type { ThreadStack } from '../../../src/core/model';

const thread = (name: string, nativeId?: number): ThreadStack => ({ id: Math.random(), nativeId, name, active: false, frames: [] });

describe('how findings name a thread', () => {
  it("Python's own names stay bare; any other is quoted, its quotes escaped", () => {
    for (const n of ['MainThread', 'Thread-3 (worker)', 'ThreadPoolExecutor-0_1', 'asyncio_0', 'pydevd.Reader', 'Thread-1 (<lambda>)'])
      assert.equal(quotedName(n), n);
    assert.equal(quotedName('error: left waits'), '"error: left waits"');
    assert.equal(quotedName('a "b" c\\'), '"a \\"b\\" c\\\\"');
    assert.equal(quotedName(''), '""');
    assert.equal(quotedName('x\u202ey'), '"x\u202ey"');
  });

  it('threads sharing a name are told apart by kernel id, else by their place', () => {
    const a = thread('MainThread', 41);
    const b = thread('MainThread', 42);
    const c = thread('w');
    const d = thread('w');
    const e = thread('solo', 7);
    labelThreads([a, b, c, d, e]);
    assert.deepEqual([a, b, c, d, e].map(who), ['MainThread (tid 41)', 'MainThread (tid 42)', 'w (#1)', 'w (#2)', 'solo']);
  });

  it('a thread never labelled is named by its name alone', () => {
    assert.equal(who(thread('x y')), '"x y"');
  });
});
