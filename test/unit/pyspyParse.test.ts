import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parsePySpyDump } from '../../src/core/backends/pyspyParse';
import { REPO } from '../support/programs';

const recorded = (name: string) => readFileSync(join(REPO, 'test', 'fixtures', 'outputs', name), 'utf8');

describe('parsePySpyDump on recorded py-spy --json output', () => {
  it('reads threads, MainThread first, with ids, names and idle state', () => {
    const threads = parsePySpyDump(recorded('pyspy-socket-recv.json'));
    assert.deepEqual(
      threads.map((t) => ({ name: t.name, active: t.active, ownsGil: t.ownsGil, native: typeof t.nativeId })),
      [
        { name: 'MainThread', active: false, ownsGil: false, native: 'number' },
        { name: 'silent-server', active: false, ownsGil: false, native: 'number' },
      ],
    );
    assert.ok(threads.every((t) => t.id > 0));
  });

  it('keeps frames innermost first, as Python frames without a module', () => {
    const main = parsePySpyDump(recorded('pyspy-socket-recv.json'))[0]!;
    const FIXTURE = main.frames[0]!.file; // the path the recording was made at
    assert.match(FIXTURE, /\/test\/fixtures\/programs\/socket_recv\.py$/);
    assert.deepEqual(main.frames, [
      { function: 'fetch_reply', file: FIXTURE, line: 13, native: false, isUserCode: false },
      { function: 'main', file: FIXTURE, line: 23, native: false, isUserCode: false },
      { function: '<module>', file: FIXTURE, line: 27, native: false, isUserCode: false },
    ]);
  });

  it('marks --native frames and names their shared object', () => {
    const main = parsePySpyDump(recorded('pyspy-socket-recv-native.json'))[0]!;
    const recv = main.frames[0]!;
    assert.equal(recv.function, 'recv');
    assert.equal(recv.native, true);
    assert.equal(recv.module, 'libc.so.6');
    assert.equal(recv.line, 0);
    const sockRecv = main.frames.find((f) => f.function === 'sock_recv')!;
    assert.equal(sockRecv.native, true);
    assert.match(sockRecv.file, /socketmodule\.c$/);
    assert.equal(sockRecv.module, '_socket.cpython-311-x86_64-linux-gnu.so');
    // Python frames sit between the native ones, in stack order.
    const fetch = main.frames.findIndex((f) => f.function === 'fetch_reply');
    assert.ok(fetch > main.frames.indexOf(sockRecv));
    assert.equal(main.frames[fetch]!.native, false);
    assert.equal(main.frames[fetch]!.module, undefined);
  });

  it('reads --locals with argument flags and reprs', () => {
    const threads = parsePySpyDump(recorded('pyspy-socket-recv-locals.json'));
    const fetch = threads[0]!.frames[0]!;
    assert.deepEqual(fetch.locals, [{ name: 'sock', repr: '<socket at 0x7f1def57c6a0>', isArg: true }]);
    const serve = threads[1]!.frames.find((f) => f.function === 'serve_silently')!;
    assert.deepEqual(
      serve.locals!.map((l) => [l.name, l.isArg]),
      [
        ['server', true],
        ['conn', false],
        ['_', false],
      ],
    );
    const module = threads[0]!.frames.at(-1)!;
    assert.deepEqual(module.locals, []);
  });

  it('names unnamed threads by their id', () => {
    const [t] = parsePySpyDump(JSON.stringify([{ pid: 1, thread_id: 77, os_thread_id: 5, active: true, owns_gil: true, frames: [] }]));
    assert.equal(t!.name, 'Thread 5');
    assert.equal(t!.active, true);
    assert.equal(t!.ownsGil, true);
  });

  it('no names and no kernel ids (a non-blocking read of 3.8): the one thread running <module> is MainThread', () => {
    const frame = (name: string) => ({ name, filename: '/app/x.py', line: 1 });
    const threads = parsePySpyDump(
      JSON.stringify([
        { pid: 16668, thread_id: 140002, os_thread_id: null, active: false, owns_gil: false, frames: [frame('work'), frame('Thread.run')] },
        { pid: 16668, thread_id: 140001, os_thread_id: null, active: false, owns_gil: false, frames: [frame('main'), frame('<module>')] },
      ]),
      16668,
    );
    assert.deepEqual(
      threads.map((t) => t.name),
      ['MainThread', 'Thread 140002'],
    );
  });

  it('a program that never imported threading has no thread names: the thread whose id is the pid is MainThread', () => {
    // py-spy 0.4.3 dump --json of poll_forever.py (no `import threading`) under CPython 3.11.7.
    const raw = [
      { pid: 16668, thread_id: 140001, os_thread_id: 16668, active: false, owns_gil: false, frames: [] },
      { pid: 16668, thread_id: 140002, os_thread_id: 16670, active: false, owns_gil: false, frames: [] },
    ];
    const [main, other] = parsePySpyDump(JSON.stringify(raw), 16668);
    assert.equal(main!.name, 'MainThread');
    assert.equal(other!.name, 'Thread 16670');
    assert.equal(parsePySpyDump(JSON.stringify(raw))[0]!.name, 'Thread 16668');
  });

  it('rejects output that is not a thread list', () => {
    assert.throws(() => parsePySpyDump('{"error": 1}'), /py-spy printed output Snag cannot read: the dump should be a list, is an object/);
    assert.throws(
      () => parsePySpyDump('Error: something'),
      /py-spy printed output Snag cannot read: it is not valid JSON.*; it starts with "Error: something"/,
    );
  });
});
