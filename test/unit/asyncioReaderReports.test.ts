// The asyncio reader's recorded reports (test/fixtures/outputs/asyncio-reader-*.txt, real output of
// snag_asyncio.py) parsed and told: a process that exited mid-read, a program of pure-Python tasks
// (3.13, asyncio_wait_kinds.py pure),
// and groups whose tasks wait alike but not for the same thing (sleeps of different lengths, a
// gather each), with a shield, a wait_for and a bare Future on 3.10.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseReport, readerError, reportText } from '../../src/core/asyncio/parseTasks';
import { groupTasks } from '../../src/core/asyncio/taskGroups';
import { awaitsLine, tasksToText } from '../../src/core/asyncio/taskText';
import type { AsyncioTasks } from '../../src/core/model';
import { REPO } from '../support/programs';

const recorded = (name: string) => reportText(readFileSync(join(REPO, 'test/fixtures/outputs', name), 'utf8'))!;

function tasksOf(name: string): AsyncioTasks {
  const r = parseReport(recorded(name), 4242, '2026-01-01T00:00:00.000Z', 10);
  assert.ok(r.ok, 'the report parses as a reading');
  return r.tasks;
}

describe('asyncio reader reports, recorded', () => {
  it('a process that exited while read is said to have exited, not that its tasks changed', () => {
    const r = parseReport(recorded('asyncio-reader-exited.txt'), 1946, '2026-01-01T00:00:00.000Z', 10);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.error.code, 'exited');
    const e = readerError(r.error, 1946, 'this machine', 'run as root');
    assert.equal(e.reason, 'process-gone');
    assert.equal(e.message, 'Process 1946 exited while its tasks were read.');
  });

  it("asyncio's pure-Python tasks are read like C tasks, without their Future.__await__ frame", () => {
    const tasks = tasksOf('asyncio-reader-pure-python.txt');
    assert.equal(tasks.tasks.length, 15);
    assert.equal(tasks.unreadable, 0, 'not counted as tasks that changed while read');
    assert.equal(tasks.notes, undefined);
    assert.ok(tasks.tasks.every((t) => t.pure && t.type === undefined));
    const byId = new Map(tasks.tasks.map((t) => [t.id, t]));
    const groups = groupTasks(tasks.tasks);
    const cond = groups.find((g) => g.tasks[0]!.frames.at(-1)?.function === 'wait_condition')!;
    assert.deepEqual(
      cond.tasks[0]!.frames.map((f) => f.function),
      ['Condition.wait', 'wait_condition'],
    );
    assert.equal(cond.what, 'condition');
    const naps = groups.find((g) => g.tasks[0]!.frames.at(-1)?.function === 'nap')!;
    assert.equal(awaitsLine(naps, byId), 'sleeps 1010–1012 s');
    assert.doesNotMatch(tasksToText(tasks).join('\n'), /__await__|awaits Future/);
  });

  it('3.10: Condition and Semaphore by their class; a group says what its tasks share, not what one of them awaits', () => {
    const tasks = tasksOf('asyncio-reader-wait-kinds-3.10.txt');
    const byId = new Map(tasks.tasks.map((t) => [t.id, t]));
    const groups = groupTasks(tasks.tasks);
    const at = (fn: string) => groups.filter((g) => g.tasks[0]!.frames.at(-1)?.function === fn);
    assert.deepEqual(
      at('wait_condition').map((g) => g.what),
      ['condition'],
    );
    assert.deepEqual(
      at('want_semaphore').map((g) => g.what),
      ['semaphore'],
    );
    const [naps] = at('nap');
    assert.equal(naps?.tasks.length, 3);
    assert.equal(awaitsLine(naps!, byId), 'sleeps 1010–1012 s');
    assert.equal(awaitsLine(naps!.tasks[0]!, byId), `sleeps ${naps!.tasks[0]!.awaits?.delay} s`, 'one task: its own delay');
    const [pairs] = at('pair');
    assert.equal(pairs?.tasks.length, 2);
    assert.equal(awaitsLine(pairs!, byId), 'each awaits a gather of 2 tasks');
    assert.match(awaitsLine(pairs!.tasks[0]!, byId) ?? '', /^awaits a gather of Task-\d+ and Task-\d+$/);
    assert.equal(awaitsLine(at('wait_future')[0]!, byId), 'waits for a Future');
    assert.equal(awaitsLine(at('wait_shielded')[0]!, byId), 'waits in shield for a Future');
    const timed = at('wait_with_timeout')[0]!.tasks[0]!;
    assert.equal(awaitsLine(timed, byId), `waits in wait_for for task ${byId.get(timed.awaits!.inner!)!.name}`);
    const text = tasksToText(tasks).join('\n');
    assert.match(text, /→ sleeps 1010–1012 s/);
    assert.doesNotMatch(text, /_asyncio\./, 'no asyncio internals named');
  });
});
