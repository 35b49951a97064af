import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pipeWriterNote } from '../../src/core/guard/guardNotes';
import { anyStopped, isRunning, parsePipeWriters, parseTaskStatus } from '../../src/core/proc/tasks';
import { REPO } from '../support/programs';

const recorded = (name: string) => readFileSync(join(REPO, 'test/fixtures/outputs', name), 'utf8');

describe('parseTaskStatus on recorded /proc/<pid>/task/*/status', () => {
  it('reads each task’s state and its ids in every PID namespace, outermost first', () => {
    assert.deepEqual(parseTaskStatus(recorded('proc-task-status-pid-namespace.txt')), [
      { ids: [16675, 1], state: 'S' },
      { ids: [16716, 42], state: 'R' },
      { ids: [16717, 43], state: 'S' },
    ]);
  });

  it('a stopped process: every task T', () => {
    const tasks = parseTaskStatus(recorded('proc-task-status-stopped.txt'));
    assert.equal(tasks.length, 3);
    assert.ok(tasks.every((t) => t.state === 'T'));
    assert.equal(anyStopped(tasks), true);
    // Tracing stop (t) is gdb at work, not a stopped process.
    assert.equal(
      anyStopped([
        { ids: [1], state: 't' },
        { ids: [2], state: 'S' },
      ]),
      false,
    );
  });

  it('nothing for a process that is gone', () => {
    assert.deepEqual(parseTaskStatus(''), []);
  });
});

describe('isRunning', () => {
  const tasks = parseTaskStatus(recorded('proc-task-status-pid-namespace.txt'));
  it('finds a thread by its id inside the namespace (what the interpreter reports) or outside', () => {
    assert.equal(isRunning(tasks, 42), true);
    assert.equal(isRunning(tasks, 16716), true);
    assert.equal(isRunning(tasks, 43), false);
    assert.equal(isRunning(tasks, 1), false);
  });
  it('undefined for an id no task has', () => {
    assert.equal(isRunning(tasks, 7), undefined);
  });
});

describe('parsePipeWriters', () => {
  it('finds the tasks sleeping in a pipe write (wchan), whatever the kernel calls it', () => {
    assert.deepEqual(parsePipeWriters('23823 anon_pipe_write\n23824 do_sys_poll\n23825 pipe_write\n23826 0\n23827\n'), [23823, 23825]);
    assert.deepEqual(parsePipeWriters(''), []);
    assert.match(pipeWriterNote([23823]), /^Read without pausing the process: thread 23823 is blocked writing to a pipe/);
  });
});
