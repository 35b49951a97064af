// Which lines of which files a dump marks, and the text after them, on a recorded real dump
// (test/fixtures/outputs/pyspy-socket-recv.json) mapped to the fixture program.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { afterText, formatWait, marksByFile, stoppedFrame, threadsInFile, type LineMark } from '../../src/core/format/frameMarks';
import type { StackDump, ThreadStack } from '../../src/core/model';
import { hangLine } from '../support/programs';
import { recordedDump } from '../support/recordedDump';

function programMarks(marks: Map<string, LineMark[]>): LineMark[] {
  const file = [...marks.keys()].find((f) => f.endsWith('/socket_recv.py'));
  assert.ok(file, `socket_recv.py is marked (files: ${[...marks.keys()].join(', ')})`);
  return marks.get(file)!;
}

function thread(name: string, frames: ThreadStack['frames'], over: Partial<ThreadStack> = {}): ThreadStack {
  return { id: name.length, name, active: false, ownsGil: false, frames, ...over };
}

describe('frame marks', () => {
  it('marks the hanging line of the recorded dump as MainThread innermost', async () => {
    const dump = await recordedDump();
    const marks = programMarks(marksByFile(dump));
    const recv = marks.find((m) => m.line === hangLine('socket_recv.py', 'recv'));
    assert.ok(recv, 'the SNAG-HANG line is marked');
    assert.equal(recv.innermost, true);
    assert.deepEqual(
      recv.threads.map((t) => t.thread.name),
      ['MainThread'],
    );
    assert.equal(afterText(recv), '⏸ MainThread · idle');
    // Callers (main(), the module line) are marked but do not stand out.
    assert.ok(marks.some((m) => !m.innermost && m.threads[0]?.thread.name === 'MainThread'));
    // Both threads stand somewhere in the program: the silent server and the main thread.
    assert.deepEqual(
      threadsInFile(marks)
        .map((t) => t.name)
        .sort(),
      ['MainThread', 'silent-server'],
    );
  });

  it('files marks under the document a frame opens in: a read-only remote one when there is no local copy', async () => {
    const dump = await recordedDump();
    // As on an ssh host whose files the workspace lacks: user frames without localFile.
    for (const t of dump.threads) for (const f of t.frames) if (f.localFile) delete f.localFile;
    assert.equal(marksByFile(dump).size, 0, 'nothing to mark by local file');
    const marks = marksByFile(dump, (f) => (f.isUserCode ? `snag-remote://h${f.file}` : undefined));
    const docs = [...marks.keys()];
    assert.equal(docs.length, 1, docs.join(', '));
    assert.match(docs[0]!, /^snag-remote:\/\/h\/.*socket_recv\.py$/);
    const recv = marks.get(docs[0]!)!.find((m) => m.line === hangLine('socket_recv.py', 'recv'));
    assert.equal(recv?.innermost, true);
  });

  it('the stopped frame is the innermost user frame, not the library frame above it', async () => {
    const dump = await recordedDump();
    const server = dump.threads.find((t) => t.name === 'silent-server')!;
    assert.equal(server.frames[0]?.function, 'Condition.wait');
    assert.equal(stoppedFrame(server)?.function, 'serve_silently');
  });

  it('several threads on one line: a count and their names; a line is marked once per thread', () => {
    const f = (line: number, fn = 'work') => ({
      function: fn,
      file: '/p/a.py',
      line,
      native: false,
      localFile: '/p/a.py',
      isUserCode: true,
      origin: 'user' as const,
    });
    const dump: StackDump = {
      pid: 1,
      backend: 'py-spy',
      takenAt: '2026-01-01T00:00:00Z',
      durationMs: 1,
      findings: [],
      threads: [
        thread('w1', [f(5), f(9, 'run')]),
        thread('w22', [f(5), f(9, 'run')]),
        thread('w333', [f(5), f(5, 'recurse'), f(9, 'run')]),
        thread('w4444', [f(5), f(9, 'run')], { active: true }),
      ],
    };
    const marks = marksByFile(dump).get('/p/a.py')!;
    assert.deepEqual(
      marks.map((m) => m.line),
      [5, 9],
    );
    assert.equal(marks[0]!.threads.length, 4, 'recursion does not count a thread twice');
    assert.equal(marks[0]!.innermost, true);
    assert.equal(marks[1]!.innermost, false);
    assert.equal(afterText(marks[0]!), '⏸ 4 threads: w1, w22, w333, …');
  });

  it('adds how long a thread has stood in the same place', () => {
    const mark: LineMark = {
      line: 3,
      innermost: true,
      threads: [
        { thread: thread('MainThread', []), frameIndex: 0, frame: { function: 'f', file: 'a', line: 3, native: false, isUserCode: true }, innermost: true },
      ],
    };
    assert.equal(afterText(mark, new Map([[10, 41.2]])), '⏸ MainThread · idle · same place ≥ 41 s');
    assert.equal(afterText(mark, new Map([[10, 0.4]])), '⏸ MainThread · idle', 'under a second says nothing');
  });

  it('formats waits as people say them', () => {
    assert.deepEqual([formatWait(41), formatWait(200), formatWait(7200)], ['41 s', '3 min', '2 h']);
  });
});
