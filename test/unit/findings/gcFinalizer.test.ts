import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { diagnose } from '../../../src/core/findings/diagnose';
import { GC_NOTE } from '../../../src/core/findings/gcFinalizer';
import { dump, nat, pkg, SourceDir, thread } from './dumpBuilder';

const src = new SourceDir();
after(() => src.remove());

const res = src.file(
  'resource.py',
  `class Connection:
    def __del__(self):
        with pool_lock:  # DEL
            pass

def work():
    gc.collect()  # COLLECT

def random_function(items):
    items.append({})  # ALLOC
`,
);

describe('GC finalizers', () => {
  it('a __del__ over native gc frames: noted as called from the garbage collector', async () => {
    const del = src.user('Connection.__del__', res, 'DEL');
    const t = thread('MainThread', [
      nat('PyThread_acquire_lock_timed'),
      nat('lock_PyThread_acquire_lock'),
      del,
      nat('gc_collect_main'),
      src.user('random_function', res, 'ALLOC'),
    ]);
    const findings = await diagnose(dump(t));
    assert.equal(del.note, GC_NOTE);
    assert.equal(findings[0]!.kind, 'gc-finalizer');
    assert.equal(findings[0]!.severity, 'warning');
    assert.equal(findings[0]!.title, 'MainThread is stuck in a finalizer at resource.py:3 (Connection.__del__), called from the garbage collector');
    assert.match(findings[0]!.detail!, /Inside it, the thread waits to acquire pool_lock at resource.py:3/);
    assert.deepEqual(findings[0]!.frame, { file: res, line: 3, localFile: res });
    // The lock wait inside is part of this finding (no other thread is known to hold the lock).
    assert.deepEqual(
      findings.map((f) => f.kind),
      ['gc-finalizer'],
    );
    assert.equal(t.frames.filter((f) => f.note).length, 1);
  });

  it("gc.collect() on the caller's line counts as the garbage collector too", async () => {
    const del = src.user('Connection.__del__', res, 'DEL');
    const t = thread('MainThread', [del, src.user('work', res, 'COLLECT')]);
    const [f] = await diagnose(dump(t));
    assert.equal(del.note, GC_NOTE);
    assert.match(f!.title, /called from the garbage collector$/);
  });

  it('without evidence of the collector: still a finalizer finding, no note', async () => {
    const del = src.user('Connection.__del__', res, 'DEL');
    const t = thread('MainThread', [del, src.user('random_function', res, 'ALLOC')]);
    const [f] = await diagnose(dump(t));
    assert.equal(del.note, undefined);
    assert.equal(f!.title, 'MainThread is stuck in a finalizer at resource.py:3 (Connection.__del__)');
    assert.match(f!.detail!, /snag dump --native/);
  });

  it('a library finalizer (zmq) names the user frame the collector interrupted', async () => {
    const t = thread('MainThread', [
      pkg('Context.term', 'zmq/sugar/context.py', 195),
      pkg('Context.__del__', 'zmq/sugar/context.py', 74),
      nat('gc_collect_main'),
      nat('_PyObject_GC_Link'),
      src.user('random_function', res, 'ALLOC'),
    ]);
    const [f] = await diagnose(dump(t));
    assert.equal(
      f!.title,
      'MainThread is stuck in a finalizer at context.py:74 (Context.__del__), called from the garbage collector during resource.py:10 (random_function)',
    );
    assert.equal(f!.frame!.line, 10, "points at the user's frame");
    assert.equal(t.frames[1]!.note, GC_NOTE);
  });
});
