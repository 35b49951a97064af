import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Frame, ThreadStack } from '../../../src/core/model';
import { describeThread } from '../../../src/core/format/profileText';
import { Sampler } from '../../../src/core/sampling/sampler';
import { SourceLines } from '../../../src/core/findings/sourceLines';
import { stackWaitExplainer } from '../../../src/core/sampling/stackWait';
import { hangLine, PROGRAMS } from '../../support/programs';

const LIB = '/usr/lib/python3.11';
const lib = (fn: string, file: string, line: number): Frame => ({ function: fn, file: `${LIB}/${file}`, line, native: false, isUserCode: false });
const user = (fn: string, program: string, tag: string): Frame => {
  const file = join(PROGRAMS, program);
  return { function: fn, file, line: hangLine(program, tag), native: false, isUserCode: true, localFile: file };
};
const thread = (name: string, frames: Frame[]): ThreadStack => ({ id: 1, name, active: false, ownsGil: false, frames });

describe('stackWaitExplainer', () => {
  const explain = stackWaitExplainer(new SourceLines());
  const queueGet = [lib('Condition.wait', 'threading.py', 327), lib('Queue.get', 'queue.py', 171)];

  it('a helper thread in Queue.get, Event.wait or time.sleep is parked', async () => {
    assert.deepEqual(await explain(thread('worker', [...queueGet, user('worker', 'parked_helpers.py', 'worker')])), {
      kind: 'signal-wait',
      severity: 'info',
      phrase: 'waits for a queue (Queue.get)',
      parked: true,
    });
    const event = await explain(
      thread('heartbeat', [
        lib('Condition.wait', 'threading.py', 331),
        lib('Event.wait', 'threading.py', 629),
        user('heartbeat', 'parked_helpers.py', 'heartbeat'),
      ]),
    );
    assert.equal(event?.phrase, 'waits for an Event (Event.wait)');
    assert.equal(event?.parked, true);
    const sleep = await explain(thread('janitor', [user('janitor', 'parked_helpers.py', 'janitor')]));
    assert.deepEqual([sleep?.kind, sleep?.parked], ['sleep', true]);
  });

  it('MainThread waiting there is not parked: nothing else will move it', async () => {
    const w = await explain(thread('MainThread', [...queueGet, user('<module>', 'parked_helpers.py', 'main')]));
    assert.deepEqual([w?.kind, w?.parked], ['signal-wait', undefined]);
  });

  it('a wait for a result, a lock or a socket is a hang whichever thread waits', async () => {
    const future = await explain(
      thread('poller', [
        lib('Condition.wait', 'threading.py', 327),
        lib('Future.result', 'concurrent/futures/_base.py', 451),
        user('worker', 'parked_helpers.py', 'worker'),
      ]),
    );
    assert.deepEqual([future?.kind, future?.parked], ['join-wait', undefined]);
    const lock = await explain(thread('updater', [user('updater', 'parked_helpers.py', 'updater')]));
    assert.deepEqual([lock?.kind, lock?.phrase, lock?.parked], ['lock-wait', 'waits to acquire guard', undefined]);
    const recv = await explain(thread('reader', [user('read_reply', 'busy_and_stuck.py', 'stuck-recv')]));
    assert.equal(recv?.kind, 'socket-wait');
    assert.equal(recv?.parked, undefined);
  });

  it('a stack no rule knows has no explanation', async () => {
    assert.equal(await explain(thread('MainThread', [user('checksum', 'busy_and_stuck.py', 'hot')])), undefined);
  });
});

describe('Sampler with an explainer', () => {
  it('a parked helper stays idle however long it waits; the headline says what it waits for', async () => {
    const frames = (fs: Frame[]) => fs.map(({ function: fn, file, line, native }) => ({ function: fn, file, line, native }));
    const mapped = new Map([[join(PROGRAMS, 'parked_helpers.py'), true]]);
    const s = new Sampler({
      pid: 1,
      rateHz: 10,
      method: 'test',
      stuckAfterSeconds: 2,
      explainStack: stackWaitExplainer(new SourceLines()),
      mapFrame: async (f) => (mapped.has(f.file) ? { isUserCode: true, localFile: f.file } : { isUserCode: false }),
    });
    const waiting = [lib('Condition.wait', 'threading.py', 327), lib('Queue.get', 'queue.py', 171)];
    for (let i = 0; i < 4; i++) {
      await s.add({
        startMs: i * 1000,
        endMs: (i + 1) * 1000,
        activeThreads: [],
        stacks: [
          { id: 1, name: 'MainThread', frames: frames([...waiting, user('<module>', 'parked_helpers.py', 'main')]), count: 10 },
          { id: 2, name: 'worker', frames: frames([...waiting, user('worker', 'parked_helpers.py', 'worker')]), count: 10 },
        ],
      });
    }
    const by = Object.fromEntries(s.profile().threads.map((t) => [t.name, t]));
    assert.equal(by.MainThread!.status, 'stuck');
    assert.equal(by.worker!.status, 'idle');
    assert.match(describeThread(by.worker!, 2), /^worker idle for 4 s at worker \(parked_helpers\.py:\d+\) — waits for a queue \(Queue\.get\)$/);
    assert.match(describeThread(by.MainThread!, 2), /^MainThread stuck for 4 s at <module> .* — waits for a queue \(Queue\.get\)$/);
  });
});
