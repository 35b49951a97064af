// The waits that look alike from outside, read from a real program on every pyenv Python 3.8–3.13
// (test/fixtures/programs/asyncio_wait_kinds.py): a Condition's wait and a Semaphore's acquire told
// from an Event's and a Lock's (on 3.8–3.10 by the class of the lock the coroutine runs for), a bare
// Future, a shield and what it shields, wait_for and the task it waits for (3.8–3.11), a group of
// sleeps of different lengths said as a range, a group each awaiting a gather of its own; and a
// blocked loop told from its tasks alone (test/fixtures/programs/asyncio_blocked.py); the same waits
// on asyncio's pure-Python tasks.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { mapTasks } from '../../src/core/asyncio/dumpTasks';
import { readAsyncioTasks } from '../../src/core/asyncio/readTasks';
import { taskFindings } from '../../src/core/asyncio/taskFindings';
import { groupTasks } from '../../src/core/asyncio/taskGroups';
import { awaitsLine } from '../../src/core/asyncio/taskText';
import { SourceMapper } from '../../src/core/mapping/sourceMap';
import type { AsyncTask, AsyncioTasks } from '../../src/core/model';
import { LocalTarget } from '../../src/core/targets/local';
import { hangLine, PROGRAMS, startProgram, type Started } from '../support/programs';
import { requirePythons } from '../support/pythons';

const PROGRAM = 'asyncio_wait_kinds.py';
const started: Started[] = [];
after(() => {
  for (const p of started) p.stop();
});

/** The task whose own coroutine (outermost frame) is `fn`. */
function task(tasks: AsyncioTasks, fn: string): AsyncTask {
  const found = tasks.tasks.filter((t) => t.frames[t.frames.length - 1]?.function.replace(/^.*\./, '') === fn);
  assert.equal(found.length, 1, `one task runs ${fn}`);
  return found[0]!;
}

describe('asyncio waits that look alike, on every pyenv Python 3.8–3.13', () => {
  it('Condition and Semaphore by name, a bare Future, shield, wait_for, sleeps as a range', async (t) => {
    for (const { version, python } of requirePythons(t, undefined, 6)) {
      const p = await startProgram(PROGRAM, [], { python, readyTimeoutMs: 60_000 });
      started.push(p);
      const tasks = await mapTasks(await readAsyncioTasks(new LocalTarget(), p.pid, { timeoutMs: 60_000 }), new SourceMapper({ workspaceRoots: [PROGRAMS] }));
      const ctx = `Python ${version}`;
      const minor = Number(version.split('.')[1]);
      const byId = new Map(tasks.tasks.map((x) => [x.id, x]));
      const line = (x: AsyncTask) => x.frames.find((f) => f.isUserCode)?.line;

      const cond = task(tasks, 'wait_condition');
      assert.equal(cond.awaits?.what, 'condition', ctx);
      assert.equal(cond.frames[0]?.function, 'Condition.wait', ctx);
      assert.equal(line(cond), hangLine(PROGRAM, 'condition-wait'), ctx);

      const sem = task(tasks, 'want_semaphore');
      assert.equal(sem.awaits?.what, 'semaphore', ctx);
      assert.equal(sem.frames[0]?.function, 'Semaphore.acquire', ctx);

      const bare = task(tasks, 'wait_future');
      assert.equal(line(bare), hangLine(PROGRAM, 'bare-future'), ctx);
      assert.equal(awaitsLine(bare, byId), 'waits for a Future', ctx);

      const shielded = task(tasks, 'wait_shielded');
      assert.equal(shielded.awaits?.shield, true, ctx);
      assert.equal(shielded.awaits?.innerIsFuture, true, ctx);
      assert.equal(awaitsLine(shielded, byId), 'waits in shield for a Future', ctx);

      const timed = task(tasks, 'wait_with_timeout');
      if (minor <= 11) {
        // wait_for wraps what it waits for in a task of its own: the line names it, and that task waits for the Event.
        const inner = byId.get(timed.awaits?.inner ?? '');
        assert.ok(inner, `${ctx}: wait_for's task is among the tasks`);
        assert.equal(inner.awaits?.what, 'event', ctx);
        assert.equal(awaitsLine(timed, byId), `waits in wait_for for task ${inner.name}`, ctx);
      } else assert.equal(timed.awaits?.what, 'event', `${ctx}: 3.12+ wait_for awaits the Event in the same task`);

      const naps = groupTasks(tasks.tasks).find((g) => g.at?.line === hangLine(PROGRAM, 'naps'));
      assert.equal(naps?.tasks.length, 3, ctx);
      assert.equal(awaitsLine(naps!, byId), 'sleeps 1010–1012 s', `${ctx}: the group's sleeps as a range, not one task's`);

      const pairs = groupTasks(tasks.tasks).find((g) => g.at?.line === hangLine(PROGRAM, 'pair-gather'));
      assert.equal(pairs?.tasks.length, 2, ctx);
      assert.equal(awaitsLine(pairs!, byId), 'each awaits a gather of 2 tasks', `${ctx}: not one member's gather as if common`);

      const gather = task(tasks, 'main');
      assert.match(awaitsLine(gather, byId) ?? '', /^awaits a gather of Task-\d+/, ctx);
      p.stop();
      started.splice(started.indexOf(p), 1);
    }
  });

  it('a blocked loop is said from the tasks alone (snag tasks): its current task stays at the same line', async (t) => {
    for (const { version, python } of requirePythons(t, undefined, 6)) {
      const p = await startProgram('asyncio_blocked.py', [], { python, readyTimeoutMs: 60_000 });
      started.push(p);
      const tasks = await readAsyncioTasks(new LocalTarget(), p.pid, { timeoutMs: 60_000 });
      const ctx = `Python ${version}`;
      const current = tasks.tasks.find((x) => x.current);
      assert.ok(current?.blockedMs !== undefined && current.blockedMs >= 200, `${ctx}: ${JSON.stringify(current)}`);
      const blocked = taskFindings(tasks).find((f) => f.kind === 'asyncio-blocked');
      assert.match(blocked?.title ?? '', /^The asyncio event loop is blocked: task Task-1 has not yielded for at least /, ctx);
      // 3.13 reads the running chain down to the blocking line; before, a running task's chain ends at its own coroutine.
      assert.match(blocked?.frame?.file ?? '', /asyncio_blocked\.py$/, ctx);
      if (Number(version.split('.')[1]) >= 13) assert.equal(blocked?.frame?.line, hangLine('asyncio_blocked.py', 'blocking-sleep'), ctx);
      p.stop();
      started.splice(started.indexOf(p), 1);
    }
  });

  it("asyncio's pure-Python tasks (no C module _asyncio) are read like C tasks", async (t) => {
    for (const { version, python } of requirePythons(t, undefined, 6)) {
      const p = await startProgram(PROGRAM, ['pure'], { python, readyTimeoutMs: 60_000 });
      started.push(p);
      const tasks = await mapTasks(await readAsyncioTasks(new LocalTarget(), p.pid, { timeoutMs: 60_000 }), new SourceMapper({ workspaceRoots: [PROGRAMS] }));
      const ctx = `Python ${version}`;
      const byId = new Map(tasks.tasks.map((x) => [x.id, x]));
      assert.equal(tasks.unreadable, 0, ctx);
      assert.equal(tasks.notes, undefined, ctx);
      // main, 5 waits, 3 naps, 2 pairs and their 4 dozes (and, 3.8–3.11, wait_for's own task)
      assert.equal(tasks.tasks.length, Number(version.split('.')[1]) <= 11 ? 16 : 15, ctx);
      assert.ok(
        tasks.tasks.every((x) => x.pure),
        ctx,
      );
      const cond = task(tasks, 'wait_condition');
      assert.equal(cond.frames[0]?.function, 'Condition.wait', `${ctx}: no Future.__await__ frame of the pure Future`);
      assert.equal(cond.awaits?.what, 'condition', ctx);
      assert.equal(task(tasks, 'want_semaphore').awaits?.what, 'semaphore', ctx);
      assert.equal(awaitsLine(task(tasks, 'wait_future'), byId), 'waits for a Future', ctx);
      const naps = groupTasks(tasks.tasks).find((g) => g.at?.line === hangLine(PROGRAM, 'naps'));
      assert.equal(awaitsLine(naps!, byId), 'sleeps 1010–1012 s', ctx);
      assert.match(awaitsLine(task(tasks, 'main'), byId) ?? '', /^awaits a gather of Task-\d+/, ctx);
      p.stop();
      started.splice(started.indexOf(p), 1);
    }
  });

  it('an idle loop is not taken for a blocked one', async (t) => {
    const [first] = requirePythons(t, undefined, 6);
    if (!first) return;
    const p = await startProgram(PROGRAM, [], { python: first.python, readyTimeoutMs: 60_000 });
    started.push(p);
    const tasks = await readAsyncioTasks(new LocalTarget(), p.pid, { timeoutMs: 60_000 });
    assert.equal(
      tasks.tasks.some((x) => x.blockedMs !== undefined),
      false,
    );
    assert.equal(
      taskFindings(tasks).some((f) => f.kind === 'asyncio-blocked'),
      false,
    );
  });
});
