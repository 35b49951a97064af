// `snag open` on outputs the real tools printed about the stuck fixture programs
// (test/fixtures/outputs/open-*, made by scripts/record-open-outputs.sh): each format is recognised
// without being told, opens to the right threads and frames, maps to the fixture sources, and gets
// the findings a live dump of the same program gets.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SourceMapper } from '../../../src/core/mapping/sourceMap';
import type { StackDump, ThreadStack } from '../../../src/core/model';
import { openDump } from '../../../src/core/open/openDump';
import { hangLine, PROGRAMS, REPO } from '../../support/programs';

const OUTPUTS = join(REPO, 'test', 'fixtures', 'outputs');

async function open(name: string): Promise<StackDump> {
  return openDump({ kind: 'file', path: join(OUTPUTS, name) }, { mapper: new SourceMapper({ workspaceRoots: [PROGRAMS] }), name, from: 'file' });
}

/** The thread standing in `func`: its innermost Python frame. */
function standing(d: StackDump, func: string): ThreadStack {
  const t = d.threads.find((x) => x.frames.find((f) => !f.native)?.function === func);
  assert.ok(t, `a thread stands in ${func}: ${d.threads.map((x) => x.frames.find((f) => !f.native)?.function).join(', ')}`);
  return t;
}

function assertMappedAt(t: ThreadStack, program: string, tag: string): void {
  // The innermost frame in the program's own file: where the thread stands in the user's code.
  const f = t.frames.find((x) => !x.native && x.file.endsWith(program))!;
  assert.ok(f, `${t.name} has a frame in ${program}`);
  assert.equal(f.line, hangLine(program, tag), `${t.name} stands at the ${tag} line`);
  assert.equal(f.localFile, join(PROGRAMS, program), `${f.file} maps into the workspace`);
  assert.equal(f.isUserCode, true);
}

function kinds(d: StackDump): string[] {
  return d.findings.map((f) => f.kind).sort();
}

describe('snag open on recorded outputs of the real tools', () => {
  it('py-spy dump --locals text: threads with names, locals, the deadlock', async () => {
    const d = await open('open-pyspy-deadlock-locals.txt');
    assert.equal(d.opened?.format, 'py-spy-text');
    assert.equal(d.backend, 'py-spy');
    assert.equal(d.pythonVersion, '3.11.7');
    assert.ok(d.pid > 0);
    assert.deepEqual(
      d.threads.map((t) => t.name),
      ['MainThread', 'worker-a', 'worker-b'],
    );
    assertMappedAt(standing(d, 'transfer_a_to_b'), 'deadlock.py', 'a-waits-b');
    assertMappedAt(standing(d, 'transfer_b_to_a'), 'deadlock.py', 'b-waits-a');
    const join_ = d.threads[0]!.frames.find((f) => f.function === 'main')!;
    assert.deepEqual(
      join_.locals?.map((l) => l.name),
      ['workers', 'w'],
    );
    const wait = d.threads[0]!.frames[0]!;
    assert.deepEqual(
      wait.locals?.filter((l) => l.isArg).map((l) => l.name),
      ['self', 'block', 'timeout'],
    );
    assert.ok(kinds(d).includes('deadlock'), kinds(d).join());
    assert.match(d.findings.find((f) => f.kind === 'deadlock')!.title, /worker-[ab] waits for lock_[ab]/);
  });

  it('py-spy dump --native text: native frames with their module, Python frames mapped', async () => {
    const d = await open('open-pyspy-deadlock-native.txt');
    const a = standing(d, 'transfer_a_to_b');
    assert.equal(a.frames[0]!.native, true);
    assert.equal(a.frames[0]!.module, 'libc.so.6');
    assert.ok(a.frames.some((f) => f.native && f.function === 'PyThread_acquire_lock_timed'));
    assertMappedAt(a, 'deadlock.py', 'a-waits-b');
    assert.ok(kinds(d).includes('deadlock'), kinds(d).join());
  });

  it('py-spy dump --json: the socket read with no timeout', async () => {
    const d = await open('open-pyspy-socket-recv.json');
    assert.equal(d.opened?.format, 'py-spy-json');
    assert.ok(d.pid > 0);
    assertMappedAt(standing(d, 'fetch_reply'), 'socket_recv.py', 'recv');
    assert.ok(kinds(d).includes('socket-wait'), kinds(d).join());
  });

  it('a saved Snag dump (snag dump --json) opens again, mapped here and explained afresh', async () => {
    const d = await open('open-snag-deadlock.json');
    assert.equal(d.opened?.format, 'snag-json');
    assert.equal(d.backend, 'py-spy');
    assert.match(d.takenAt, /^\d{4}-\d\d-\d\dT/);
    assertMappedAt(standing(d, 'transfer_b_to_a'), 'deadlock.py', 'b-waits-a');
    assert.ok(kinds(d).includes('deadlock'), kinds(d).join());
  });

  it('a traceback printed on Ctrl-C: where MainThread stood, with the exception on its frame', async () => {
    const d = await open('open-traceback-socket-recv-sigint.txt');
    assert.equal(d.opened?.format, 'traceback');
    assert.equal(d.backend, 'python');
    assert.equal(d.pid, 0);
    assert.equal(d.threads.length, 1);
    const t = d.threads[0]!;
    assert.equal(t.name, 'MainThread');
    assert.deepEqual(
      t.frames.map((f) => f.function),
      ['fetch_reply', 'main', '<module>'],
    );
    assert.equal(t.frames[0]!.note, 'raised KeyboardInterrupt');
    assertMappedAt(t, 'socket_recv.py', 'recv');
    assert.ok(kinds(d).includes('socket-wait'), kinds(d).join());
  });

  for (const v of ['38', '313']) {
    it(`faulthandler on SIGABRT (Python ${v[0]}.${v.slice(1)}): every thread, MainThread recognised, the deadlock`, async () => {
      const d = await open(`open-faulthandler-deadlock-py${v}.txt`);
      assert.equal(d.opened?.format, 'faulthandler');
      assert.equal(d.threads.length, 3);
      assert.equal(d.threads[0]!.name, 'MainThread');
      assert.ok(d.notes?.some((n) => /Fatal Python error: Aborted/.test(n)));
      assert.ok(d.notes?.some((n) => /MainThread is the thread that was running/.test(n)));
      assertMappedAt(standing(d, 'transfer_a_to_b'), 'deadlock.py', 'a-waits-b');
      assertMappedAt(d.threads[0]!, 'deadlock.py', 'join');
      assert.ok(kinds(d).includes('deadlock'), kinds(d).join());
    });
  }

  it('faulthandler.dump_traceback_later: waiters on one lock are one finding, naming MainThread as holder', async () => {
    const d = await open('open-faulthandler-later-many-waiters-py312.txt');
    assert.equal(d.threads.length, 4);
    assert.ok(d.notes?.some((n) => /Timeout \(0:00:02\)!/.test(n)));
    const waiters = d.findings.find((f) => f.kind === 'lock-wait' && (f.threadIds?.length ?? 0) === 3);
    assert.ok(waiters, JSON.stringify(d.findings.map((f) => f.title)));
    assert.match(waiters.title, /work_lock/);
    assert.match(waiters.title, /held by MainThread/);
  });

  it('gdb thread apply all py-bt: Python frames per thread, the built-in call as a note, the deadlock', async () => {
    const d = await open('open-gdb-deadlock-py-bt.txt');
    assert.equal(d.opened?.format, 'gdb-text');
    assert.equal(d.backend, 'gdb');
    assert.equal(d.method, 'py-bt');
    assert.ok(d.pid > 0);
    assert.equal(d.threads[0]!.name, 'MainThread');
    assert.equal(d.threads[0]!.nativeId, d.pid);
    const a = standing(d, 'transfer_a_to_b');
    assert.match(a.frames[0]!.note ?? '', /built-in method __enter__ of _thread\.lock/);
    assertMappedAt(a, 'deadlock.py', 'a-waits-b');
    assert.ok(kinds(d).includes('deadlock'), kinds(d).join());
  });

  it('gdb thread apply all bt: native frames only, with files and lines, and a note saying how to add Python frames', async () => {
    const d = await open('open-gdb-deadlock-bt.txt');
    assert.equal(d.method, 'bt');
    assert.equal(d.threads.length, 3);
    for (const t of d.threads) assert.ok(t.frames.every((f) => f.native));
    const f0 = d.threads[0]!.frames[0]!;
    assert.equal(f0.function, '__futex_abstimed_wait_common64');
    assert.match(f0.file, /futex-internal\.c$/);
    assert.equal(f0.line, 57);
    // __GI_ aliases named as glibc exports them; addresses kept.
    assert.ok(d.threads[0]!.frames.some((f) => f.function === '__futex_abstimed_wait_cancelable64' && f.address?.startsWith('0x')));
    assert.ok(d.notes?.some((n) => /thread apply all py-bt/.test(n)));
  });

  it('gdb bt of four idle Queue.get workers (Python 3.12): a C lock acquire each, said so, never a possible deadlock', async () => {
    const d = await open('open-gdb-idle-workers-bt.txt');
    assert.equal(d.threads.length, 5);
    assert.ok(!kinds(d).includes('deadlock'), JSON.stringify(d.findings.map((f) => f.title)));
    const locks = d.findings.filter((f) => f.kind === 'lock-wait');
    assert.equal(locks.length, 1, JSON.stringify(d.findings.map((f) => f.title)));
    assert.equal(locks[0]!.severity, 'info');
    assert.match(locks[0]!.title, /^4 threads wait in a C lock acquire \(native frames only: a Lock, or a Condition, Event, Queue or join\)/);
    assert.match(locks[0]!.detail ?? '', /thread apply all py-bt/);
  });

  it('gdb bt keeps no run state: a thread stopped outside a system call was running, one in recv or nanosleep waited', async () => {
    const d = await open('open-gdb-busy-and-stuck-bt.txt');
    assert.equal(d.threads.length, 3);
    const main = d.threads.find((t) => t.name === 'MainThread')!;
    assert.equal(main.frames[0]!.function, 'pymalloc_alloc');
    assert.equal(main.active, true);
    for (const t of d.threads.filter((x) => x !== main)) assert.equal(t.active, false, `${t.name} at ${t.frames[0]!.function}`);
  });

  it('gdb bt and py-bt in one session: each thread merged, the waits inside C kept innermost', async () => {
    const d = await open('open-gdb-sleeping-bt-and-py-bt.txt');
    assert.equal(d.method, 'bt + py-bt');
    const main = d.threads[0]!;
    assert.equal(main.name, 'MainThread');
    assert.equal(main.frames[0]!.function, '__futex_abstimed_wait_common64');
    assertMappedAt(main, 'sleeping_thread.py', 'join');
    const sleeper = standing(d, 'nap');
    assert.equal(sleeper.frames[0]!.native, true);
    assert.match(sleeper.frames[0]!.function, /clock_nanosleep/);
    assertMappedAt(sleeper, 'sleeping_thread.py', 'sleep');
    assert.ok(!main.frames.some((f) => f.function === '_PyEval_EvalFrameDefault'));
    assert.ok(kinds(d).includes('join-wait'), kinds(d).join());
  });

  it('a single py-bt (no thread header) is the selected thread', async () => {
    const d = await open('open-gdb-sleeping-py-bt-main.txt');
    assert.equal(d.threads.length, 1);
    assert.equal(d.threads[0]!.name, 'MainThread');
    assertMappedAt(d.threads[0]!, 'sleeping_thread.py', 'join');
  });
});
