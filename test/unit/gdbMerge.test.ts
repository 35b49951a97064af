import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gdbReportToThreads, mergeFrames } from '../../src/core/backends/gdbMerge';
import { parseGdbReport, type GdbThread } from '../../src/core/backends/gdbParse';
import type { Frame } from '../../src/core/model';
import { hangLine, REPO } from '../support/programs';

const report = (name: string) => parseGdbReport(readFileSync(join(REPO, 'test', 'fixtures', 'outputs', name), 'utf8'))!;
/** `name@file:line` for Python frames, `name` for native ones: the order is what matters here. */
const sketch = (frames: Frame[]) => frames.map((f) => (f.native ? f.function : `${f.function}@${f.file.slice(f.file.lastIndexOf('/') + 1)}:${f.line}`));

describe('gdbReportToThreads: native and Python frames in one stack', () => {
  it('finalizer blocked in C: pause, ctypes, __del__, the collector, the caller of gc.collect()', () => {
    const { threads } = gdbReportToThreads(report('gdb-gc-finalizer-py-bt.txt'));
    assert.equal(threads.length, 1);
    const main = threads[0]!;
    assert.equal(main.name, 'MainThread');
    assert.equal(main.active, false);
    const s = sketch(main.frames);
    const at = (x: string) => s.indexOf(x);
    // The recording was made from the fixture as it is: its SNAG-HANG lines name the places.
    const del = `NativeHandle.__del__@gc_finalizer_c.py:${hangLine('gc_finalizer_c.py', 'finalizer')}`;
    const caller = `release_handles@gc_finalizer_c.py:${hangLine('gc_finalizer_c.py', 'collect')}`;
    assert.equal(s[0], '__libc_pause');
    assert.ok(at('ffi_call') > 0 && at('ffi_call') < at(del), s.join(' | '));
    assert.ok(at(del) < at('slot_tp_finalize'));
    assert.ok(at('slot_tp_finalize') < at('gc_collect_main'));
    assert.ok(at('gc_collect_main') < at(caller));
    assert.equal(s[at(caller) + 1], `<module>@gc_finalizer_c.py:${hangLine('gc_finalizer_c.py', 'caller')}`);
    assert.equal(s[s.length - 1], '_start');
    // Each eval frame gave way to its Python frames.
    assert.ok(!s.includes('_PyEval_EvalFrameDefault'));
  });

  it('native frames keep their library, source file and line; unnamed ones show their address', () => {
    const f = gdbReportToThreads(report('gdb-gc-finalizer-py-bt.txt')).threads[0]!.frames;
    assert.deepEqual(f[0], {
      function: '__libc_pause',
      file: 'sysdeps/unix/sysv/linux/pause.c',
      line: 29,
      native: true,
      isUserCode: false,
      module: 'libc.so.6',
      // The address, so a reader that could not name the frame can take gdb's name for it.
      address: f[0]!.address,
    });
    assert.match(f[0]!.address ?? '', /^0x[0-9a-f]+$/);
    assert.match(f[1]!.function, /^0x[0-9a-f]+$/);
    assert.deepEqual(
      { file: f[1]!.file, line: f[1]!.line, module: f[1]!.module },
      { file: '/lib/x86_64-linux-gnu/libffi.so.8', line: 0, module: 'libffi.so.8' },
    );
  });

  it('locals (py-bt): self of __del__, marked as an argument', () => {
    const del = gdbReportToThreads(report('gdb-gc-finalizer-locals.txt')).threads[0]!.frames.find((f) => f.function === 'NativeHandle.__del__')!;
    assert.equal(del.locals?.length, 1);
    assert.equal(del.locals![0]!.name, 'self');
    assert.equal(del.locals![0]!.isArg, true);
    assert.match(del.locals![0]!.repr!, /^<NativeHandle\(myself=/);
  });

  it('deadlock (frame objects, 3.11): MainThread first; each worker at its lock line above Thread.run', () => {
    const { threads } = gdbReportToThreads(report('gdb-deadlock-frame-objects.txt'));
    // Snag's reader reads each threading.Thread's _name from the instance, as py-bt's repr does.
    assert.deepEqual(
      threads.map((t) => t.name),
      ['MainThread', 'worker-a', 'worker-b'],
    );
    const main = sketch(threads[0]!.frames).filter((x) => x.includes('@'));
    assert.deepEqual(main, [
      'Thread._wait_for_tstate_lock@threading.py:1139',
      'Thread.join@threading.py:1119',
      'main@deadlock.py:34',
      '<module>@deadlock.py:38',
    ]);
    for (const [t, fn, line] of [
      [threads[1]!, 'transfer_a_to_b', 13],
      [threads[2]!, 'transfer_b_to_a', 20],
    ] as const) {
      const s = sketch(t.frames);
      const lock = s.findIndex((x) => /sem_wait|futex/.test(x));
      const user = s.indexOf(`${fn}@deadlock.py:${line}`);
      assert.ok(lock >= 0 && lock < user, s.join(' | '));
      assert.ok(s.indexOf('do_call_core') > user && s.indexOf('do_call_core') < s.indexOf('Thread.run@threading.py:982'), s.join(' | '));
    }
  });

  it('3.13: one eval frame runs the whole Python stack', () => {
    const { threads } = gdbReportToThreads(report('gdb-deadlock-py313-frame-objects.txt'));
    assert.deepEqual(
      threads.map((t) => t.name),
      ['MainThread', 'worker-a', 'worker-b'],
    );
    const worker = sketch(threads[1]!.frames);
    const first = worker.findIndex((x) => x.includes('@'));
    assert.deepEqual(worker.slice(first, first + 4), [
      'transfer_a_to_b@deadlock.py:13',
      'Thread.run@threading.py:992',
      'Thread._bootstrap_inner@threading.py:1041',
      'Thread._bootstrap@threading.py:1012',
    ]);
  });

  it('Debian python3.11 with python3.11-dbg: thread names from threading, clock_nanosleep under nap()', () => {
    const r = report('gdb-sleeping-debian-py-bt.txt');
    assert.equal(r.extension, '/usr/share/gdb/auto-load/usr/bin/python3.11-gdb.py');
    const { threads } = gdbReportToThreads(r);
    assert.deepEqual(
      threads.map((t) => t.name),
      ['MainThread', 'sleeper'],
    );
    const s = sketch(threads[1]!.frames);
    assert.equal(s[0], '__clock_nanosleep');
    assert.ok(s.indexOf('time_sleep') < s.indexOf('nap@sleeping_thread.py:7'), s.join(' | '));
    assert.equal(s[s.indexOf('nap@sleeping_thread.py:7') + 1], '_PyEval_EvalFrame'); // inlined, then _PyEval_Vector
  });

  it('an eval frame without Python frames stays; Python frames gdb could not place go last, with a note', () => {
    const t: GdbThread = {
      num: 1,
      lwp: 10,
      notes: [],
      frames: [
        { function: 'poll', pc: '0x1', line: 0, library: '/lib/libc.so.6' },
        { function: '_PyEval_EvalFrameDefault', pc: '0x2', line: 0, eval: true },
        { function: '_PyEval_EvalFrameDefault', pc: '0x3', line: 0, eval: true },
      ],
      python: [[{ function: 'inner', file: '/a.py', line: 3 }], [], [{ function: 'outer', file: '/a.py', line: 9 }]],
    };
    const { frames, notes } = mergeFrames(t);
    assert.deepEqual(sketch(frames), ['poll', 'inner@a.py:3', '_PyEval_EvalFrameDefault', 'outer@a.py:9']);
    assert.match(notes[0]!, /1 Python frame could not be placed/);
  });

  it('names: threading name, else MainThread for the main task, else a name the thread set itself', () => {
    const base = { frames: [], notes: [] };
    const { threads } = gdbReportToThreads({
      version: 1,
      pid: 5,
      attached: true,
      notes: [],
      states: { '5': 'S', '6': 'R', '7': 'S' },
      threads: [
        { ...base, num: 1, lwp: 5, name: 'python3' },
        { ...base, num: 2, lwp: 6, name: 'python3', pythonName: 'worker', gil: true, pthread: 1234 },
        { ...base, num: 3, lwp: 7, name: 'ZMQbg/IO/0' },
        { ...base, num: 4, lwp: 8, name: 'python3' },
      ],
    });
    assert.deepEqual(
      threads.map((t) => [t.id, t.nativeId, t.name, t.active, t.ownsGil]),
      [
        [5, 5, 'MainThread', false, false],
        [1234, 6, 'worker', true, true],
        [7, 7, 'ZMQbg/IO/0', false, false],
        [8, 8, 'Thread 8', false, false],
      ],
    );
  });
});
