// The asyncio task reader on real programs under every pyenv Python 3.8–3.13: what each task
// awaits and where (the lines of the programs' SNAG-HANG markers), orphaned waits, gather and
// TaskGroup children, eager tasks, creation tracebacks in debug mode, a pile-up between two
// readings, 10,000 tasks, a blocked loop. The target keeps running throughout: its state is watched
// while the reader reads (never T) and its ticker must tick on afterwards.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { readAsyncioTasks } from '../../src/core/asyncio/readTasks';
import { mapTasks } from '../../src/core/asyncio/dumpTasks';
import { groupTasks, groupTitle } from '../../src/core/asyncio/taskGroups';
import { taskFindings } from '../../src/core/asyncio/taskFindings';
import { SourceMapper } from '../../src/core/mapping/sourceMap';
import type { AsyncTask, AsyncioTasks } from '../../src/core/model';
import { LocalTarget } from '../../src/core/targets/local';
import { hangLine, processState, PROGRAMS, startProgram, type Started } from '../support/programs';
import { requirePythons } from '../support/pythons';
import { dumpLocal } from '../support/snag';
import { requireTool } from '../support/tools';

const started: Started[] = [];
after(() => {
  for (const p of started) p.stop();
});

async function start(name: string, python: string, args: string[] = []): Promise<Started> {
  const p = await startProgram(name, args, { python, readyTimeoutMs: 60_000 });
  started.push(p);
  return p;
}

function stop(p: Started): void {
  p.stop();
  started.splice(started.indexOf(p), 1);
}

/** Reads the tasks while watching the process's state every few ms; every state seen is returned. */
async function readWatched(pid: number): Promise<{ tasks: AsyncioTasks; states: Set<string> }> {
  const states = new Set<string>();
  let reading = true;
  const watch = (async () => {
    while (reading) {
      const s = processState(pid);
      if (s) states.add(s);
      await delay(2);
    }
  })();
  try {
    const tasks = await readAsyncioTasks(new LocalTarget(), pid, { timeoutMs: 60_000 });
    await mapTasks(tasks, new SourceMapper({ workspaceRoots: [PROGRAMS] }));
    return { tasks, states };
  } finally {
    reading = false;
    await watch;
  }
}

/** Resolves once the program prints a line matching `re` that it had not printed before (bounded). */
async function printsAgain(p: Started, re: RegExp, timeoutMs = 20_000): Promise<void> {
  const before = (p.output().match(new RegExp(re.source, 'gm')) ?? []).length;
  const end = Date.now() + timeoutMs;
  while ((p.output().match(new RegExp(re.source, 'gm')) ?? []).length <= before) {
    if (Date.now() > end) throw new Error(`the program printed no new ${re} within ${timeoutMs} ms: it did not make progress`);
    await delay(50);
  }
}

/** The task whose outermost coroutine is `fn` (the task's own coroutine). */
function byCoroutine(tasks: AsyncioTasks, fn: string): AsyncTask[] {
  return tasks.tasks.filter((t) => t.frames[t.frames.length - 1]?.function.replace(/^.*\./, '') === fn);
}

function one(tasks: AsyncioTasks, fn: string): AsyncTask {
  const found = byCoroutine(tasks, fn);
  assert.equal(found.length, 1, `one task runs ${fn}: ${tasks.tasks.map((t) => t.frames.map((f) => f.function).join('<')).join(' | ')}`);
  return found[0]!;
}

const WAITS = 'asyncio_waits.py';
const line = (tag: string) => hangLine(WAITS, tag);

describe('asyncio tasks read from memory: every pyenv Python 3.8–3.13', () => {
  it('what each task awaits, at which line, orphaned waits, gather and TaskGroup children', async (t) => {
    for (const { version, python } of requirePythons(t, undefined, 6)) {
      const p = await start(WAITS, python);
      const { tasks, states } = await readWatched(p.pid);
      const ctx = `Python ${version}`;
      assert.ok(tasks.asyncio, ctx);
      assert.match(tasks.pythonVersion ?? '', new RegExp(`^${version.split('.').slice(0, 2).join('\\.')}`), ctx);
      assert.equal(tasks.unreadable, 0, ctx);
      const minor = Number(version.split('.')[1]);
      // ticker, main, 2 events, setter, future, queue, lock holder and waiter, gather + 2 children (+ TaskGroup + 2 children on 3.11+)
      assert.equal(tasks.tasks.length, minor >= 11 ? 15 : 12, ctx);

      const at = (task: AsyncTask) => task.frames.find((f) => f.isUserCode);
      const lonely = one(tasks, 'wait_lonely_event');
      assert.equal(at(lonely)?.line, line('lonely-event'), ctx);
      assert.equal(lonely.awaits?.what, 'event', ctx);
      assert.equal(lonely.awaits?.orphan, true, `${ctx}: only the waiter holds the Event`);
      assert.equal(lonely.awaits?.holder, 'Event', ctx);

      const held = one(tasks, 'wait_held_event');
      assert.equal(at(held)?.line, line('held-event'), ctx);
      assert.equal(held.awaits?.what, 'event', ctx);
      assert.equal(held.awaits?.orphan, undefined, `${ctx}: the setter task holds this Event`);

      const future = one(tasks, 'wait_lonely_future');
      assert.equal(at(future)?.line, line('lonely-future'), ctx);
      assert.equal(future.awaits?.kind, 'future', ctx);
      assert.equal(future.awaits?.orphan, true, ctx);

      assert.equal(at(one(tasks, 'consume'))?.line, line('queue-get'), ctx);
      assert.equal(one(tasks, 'consume').awaits?.what, 'queue-get', ctx);
      assert.equal(one(tasks, 'want_lock').awaits?.what, 'lock', ctx);
      assert.equal(at(one(tasks, 'want_lock'))?.line, line('lock-wait'), ctx);
      assert.equal(one(tasks, 'want_lock').awaits?.orphan, undefined, `${ctx}: the lock's holder holds it`);
      const setter = one(tasks, 'setter');
      assert.equal(setter.awaits?.what, 'sleep', ctx);
      assert.equal(setter.awaits?.delay, 3600, ctx);
      assert.equal(at(setter)?.line, line('setter-sleep'), ctx);
      assert.equal(at(one(tasks, 'hold_lock'))?.line, line('lock-holder'), ctx);
      assert.equal(at(one(tasks, 'main'))?.line, line('main-sleep'), ctx);
      // Library frames are there, innermost first: the sleep inside asyncio/tasks.py.
      assert.match(setter.frames[0]!.file, /asyncio[/\\]tasks\.py$/, ctx);
      assert.equal(setter.frames[0]!.isUserCode, false, ctx);
      assert.equal(setter.frames[1]!.localFile, `${PROGRAMS}/${WAITS}`, ctx);

      const gather = one(tasks, 'gather_children');
      assert.equal(gather.awaits?.kind, 'gather', ctx);
      assert.equal(at(gather)?.line, line('gather'), ctx);
      const ids = new Set(tasks.tasks.map((x) => x.id));
      assert.equal(gather.awaits?.children?.length, 2, ctx);
      for (const c of gather.awaits!.children!) {
        assert.ok(ids.has(c), `${ctx}: a gathered child is a listed task`);
        const child = tasks.tasks.find((x) => x.id === c)!;
        assert.equal(at(child)?.line, line('child-sleep'), ctx);
      }
      if (minor >= 11) {
        const group = one(tasks, 'group_children');
        assert.equal(group.awaits?.kind, 'taskgroup', ctx);
        assert.equal(at(group)?.line, line('taskgroup'), ctx);
        assert.equal(group.awaits?.children?.length, 2, ctx);
        for (const c of group.awaits!.children!) assert.ok(ids.has(c), ctx);
      }
      // Four (six) children wait alike: one group.
      const children = groupTasks(tasks.tasks).find((g) => g.at?.function.endsWith('child'));
      assert.equal(children?.tasks.length, minor >= 11 ? 4 : 2, ctx);
      assert.equal(children && groupTitle(children), `${minor >= 11 ? 4 : 2} tasks wait in asyncio.sleep at ${WAITS}:${line('child-sleep')} in child`, ctx);

      const findings = taskFindings(tasks);
      assert.deepEqual(
        findings.map((f) => [f.kind, f.frame?.line]).sort((a, b) => Number(a[1]) - Number(b[1])),
        [
          ['asyncio-orphan-wait', line('lonely-event')],
          ['asyncio-orphan-wait', line('lonely-future')],
        ].sort((a, b) => Number(a[1]) - Number(b[1])),
        ctx,
      );
      assert.ok(!states.has('T') && !states.has('t'), `${ctx}: the target was never stopped (states seen: ${[...states].join(',')})`);
      await printsAgain(p, /^tick \d+/);
      stop(p);
    }
  });

  it('debug mode: where each task was created; a pile-up grows between two readings', async (t) => {
    const PILE = 'asyncio_scan_pileup.py';
    for (const { version, python } of requirePythons(t, undefined, 6)) {
      const p = await start(PILE, python, ['0.01', '--debug']);
      const ctx = `Python ${version}`;
      const first = (await readWatched(p.pid)).tasks;
      await printsAgain(p, /^started \d+/, 30_000);
      await printsAgain(p, /^started \d+/, 30_000);
      const { tasks: second, states } = await readWatched(p.pid);
      const scans = byCoroutine(second, 'scan_folder');
      assert.ok(scans.length >= 200, `${ctx}: ${scans.length} scans wait`);
      for (const s of scans.slice(0, 20)) {
        assert.equal(s.frames.find((f) => f.isUserCode)?.line, hangLine(PILE, 'scan-wait'), ctx);
        const creator = s.createdAt?.find((f) => f.isUserCode);
        assert.equal(creator?.function, 'periodic_scan', ctx);
        assert.equal(creator?.line, hangLine(PILE, 'scan-create'), ctx);
      }
      // The program starts a scan every 10 ms while it is read: the newest may not have run to its await yet.
      const waiting = scans.filter((s) => s.frames.find((f) => f.isUserCode)?.line === hangLine(PILE, 'scan-wait'));
      assert.ok(scans.length - waiting.length <= 3, `${ctx}: ${scans.length - waiting.length} scans not at their await`);
      const groups = groupTasks(second.tasks);
      assert.equal(groups[0]!.tasks.length, waiting.length, `${ctx}: every waiting scan is in the largest group`);
      assert.match(
        groupTitle(groups[0]!),
        new RegExp(
          `^[\\d,]+ tasks wait at ${PILE}:${hangLine(PILE, 'scan-wait')} in scan_folder ← created by periodic_scan at ${PILE}:${hangLine(PILE, 'scan-create')}$`,
        ),
        ctx,
      );
      const findings = taskFindings(second, first);
      const growth = findings.find((f) => f.kind === 'asyncio-growth');
      assert.ok(growth, `${ctx}: ${findings.map((f) => f.kind).join(',')}`);
      assert.match(
        growth!.title,
        new RegExp(`^\\+[\\d,]+ tasks in [\\d.]+ s at ${PILE}:${hangLine(PILE, 'scan-wait')} in scan_folder ← created by periodic_scan$`),
        ctx,
      );
      assert.ok(
        findings.some((f) => f.kind === 'asyncio-pileup' && f.frame?.line === hangLine(PILE, 'scan-wait')),
        ctx,
      );
      assert.ok(!states.has('T'), ctx);
      stop(p);
    }
  });

  it('eager tasks (3.12+): suspended ones, and one caught in its eager first step blocking the loop', async (t) => {
    for (const { version, python } of requirePythons(t, ['3.12', '3.13'], 2)) {
      const ctx = `Python ${version}`;
      const rest = await start('asyncio_eager.py', python);
      const suspended = (await readWatched(rest.pid)).tasks;
      assert.deepEqual(
        byCoroutine(suspended, 'eager_waiter')
          .map((x) => x.name)
          .sort(),
        ['eager-0', 'eager-1', 'eager-2'],
        ctx,
      );
      for (const w of byCoroutine(suspended, 'eager_waiter')) assert.equal(w.awaits?.what, 'event', ctx);
      stop(rest);
      const blocked = await start('asyncio_eager.py', python, ['block']);
      const { tasks } = await readWatched(blocked.pid);
      const blocker = one(tasks, 'eager_blocker');
      assert.equal(blocker.eager, true, `${ctx}: still in its eager step`);
      assert.equal(blocker.current, true, `${ctx}: the loop's current task`);
      assert.equal(blocker.frames.find((f) => f.isUserCode)?.line, hangLine('asyncio_eager.py', 'eager-block'), ctx);
      assert.deepEqual(
        tasks.loops.map((l) => l.current),
        [blocker.id],
        ctx,
      );
      stop(blocked);
    }
  });

  it('10,000 tasks: every one read, grouped in the places they wait', async (t) => {
    for (const { version, python } of requirePythons(t, undefined, 6)) {
      const ctx = `Python ${version}`;
      const p = await start('asyncio_many.py', python, ['10000']);
      const { tasks, states } = await readWatched(p.pid);
      assert.equal(tasks.tasks.length, 10_001, ctx);
      assert.equal(tasks.truncated, undefined, ctx);
      const groups = groupTasks(tasks.tasks);
      const leaf = groups.find((g) => g.at?.line === hangLine('asyncio_many.py', 'many-leaf'));
      const sleeping = groups.find((g) => g.at?.line === hangLine('asyncio_many.py', 'many-sleep'));
      assert.equal(leaf?.tasks.length, 5000, ctx);
      assert.equal(leaf?.what, 'event', ctx);
      assert.equal(sleeping?.tasks.length, 5000, ctx);
      assert.equal(sleeping?.what, 'sleep', ctx);
      assert.deepEqual(
        groups.slice(0, 2).map((g) => g.tasks.length),
        [5000, 5000],
        ctx,
      );
      assert.equal(new Set(tasks.tasks.map((x) => x.id)).size, 10_001, `${ctx}: distinct tasks`);
      assert.ok(!states.has('T'), ctx);
      stop(p);
    }
  });

  it('a blocked loop: the dump names the task that blocks it and the tasks it starves', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    for (const { version, python } of requirePythons(t, undefined, 6)) {
      const ctx = `Python ${version}`;
      const p = await start('asyncio_blocked.py', python);
      const d = await dumpLocal(p.pid, pyspy);
      const blocked = d.findings.find((f) => f.kind === 'asyncio-blocked');
      assert.ok(blocked, `${ctx}: ${d.findings.map((f) => f.kind).join(',')}`);
      assert.ok(d.asyncio, `${ctx}: the dump carries the tasks (${d.notes?.join(' ')})`);
      const current = d.asyncio!.tasks.find((x) => x.current);
      assert.equal(current?.frames.at(-1)?.function.replace(/^.*\./, ''), 'main', ctx);
      assert.match(blocked!.detail ?? '', /The blocking call runs in task Task-1 .*1 other task cannot run meanwhile/, ctx);
      const beat = d.asyncio!.tasks.find((x) => x.name === 'heartbeat');
      assert.equal(beat?.frames.find((f) => f.isUserCode)?.function, 'heartbeat', ctx);
      stop(p);
    }
  });

  it('an idle loop: the finding names where the tasks wait', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    const [{ python }] = requirePythons(t, ['3.12'], 1);
    const p = await start(WAITS, python!);
    const d = await dumpLocal(p.pid, pyspy);
    const idle = d.findings.find((f) => f.kind === 'asyncio-idle');
    assert.ok(idle, d.findings.map((f) => f.kind).join(','));
    assert.match(idle!.title, /; 15 tasks: /);
    assert.match(idle!.detail ?? '', new RegExp(`Where they wait: 4 tasks wait in asyncio.sleep at ${WAITS}:${line('child-sleep')} in child`));
    assert.deepEqual(
      d.findings
        .filter((f) => f.kind === 'asyncio-orphan-wait')
        .map((f) => f.frame?.line)
        .sort((a, b) => Number(a) - Number(b)),
      [line('lonely-event'), line('lonely-future')].sort((a, b) => a - b),
    );
    stop(p);
  });
});
