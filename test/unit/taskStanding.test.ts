// Where an asyncio task stands is the one rule of markers and findings (stacks/standing.ts): a task
// with no user code is placed at its innermost Python frame with a line, not at a frame without one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { growthFindings, taskFrame, withTasks } from '../../src/core/asyncio/taskFindings';
import { groupTasks } from '../../src/core/asyncio/taskGroups';
import type { AsyncTask, AsyncioTasks, Finding, Frame } from '../../src/core/model';
import { standsAt } from '../../src/core/stacks/standing';

const f = (fn: string, o: Partial<Frame> = {}): Frame => ({ function: fn, file: `/lib/${fn}.py`, line: 10, native: false, isUserCode: false, ...o });
// No user code; the innermost frame has no line: "innermost user frame, else the innermost" and standsAt part here.
const frames = [f('sleep', { line: 0 }), f('wait_for', { line: 42 }), f('worker', { line: 7 })];
const task = (id: string, o: Partial<AsyncTask> = {}): AsyncTask => ({ id, name: `worker-${id}`, frames, ...o });
const reading = (tasks: AsyncTask[], takenAt: string): AsyncioTasks => ({ pid: 1, takenAt, durationMs: 1, asyncio: true, tasks, loops: [], unreadable: 0 });

describe('where an asyncio task stands', () => {
  it('is standsAt of its frames, as for a thread', () => {
    assert.equal(standsAt(frames)?.function, 'wait_for');
    assert.equal(taskFrame(task('1')), standsAt(frames));
    assert.equal(groupTasks([task('1')])[0]!.at, standsAt(frames));
  });

  it('the ended-tasks finding points there', () => {
    const ended = growthFindings(reading([task('1'), task('2')], '2026-01-01T00:00:00Z'), reading([task('2')], '2026-01-01T00:00:05Z'));
    const finding = ended.find((x) => x.kind === 'asyncio-ended');
    assert.deepEqual(finding?.frame, { file: '/lib/wait_for.py', line: 42 });
  });

  it('the blocked-loop finding names it', () => {
    const blocked: Finding = { severity: 'error', kind: 'asyncio-blocked', title: 'The event loop is blocked' };
    const [told] = withTasks([blocked], reading([task('1', { current: true }), task('2')], '2026-01-01T00:00:00Z'));
    assert.match(told!.detail ?? '', /runs in task worker-1 \(wait_for\.py:42 in wait_for\)/);
  });
});
