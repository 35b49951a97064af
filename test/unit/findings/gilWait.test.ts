import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { diagnose } from '../../../src/core/findings/diagnose';
import type { ProcessView } from '../../../src/core/findings/processView';
import type { BlockedCall } from '../../../src/core/proc/blockedFd';
import { dump, SourceDir, thread, THREAD_BOOTSTRAP } from './dumpBuilder';

const src = new SourceDir();
after(() => src.remove());
const app = src.file(
  'hog.py',
  `import re, time
def heartbeat():
    while True:
        time.sleep(0.01)  # BEAT
        beats.append(1)

def validate(text):
    return EVIL.match(text)  # HOG

def spin():
    while True:
        n += 1  # SPIN
`,
);

const view = (calls: Record<number, BlockedCall>): ProcessView => ({
  pid: 10,
  sockets: async () => [],
  children: async () => undefined,
  locals: async () => undefined,
  blockedCall: (tid) => calls[tid],
});

function stacks(heartbeatActive: boolean) {
  const main = { ...thread('MainThread', [src.user('validate', app, 'HOG')], { active: true }), ownsGil: true, nativeId: 10 };
  const beat = { ...thread('heartbeat', [src.user('heartbeat', app, 'BEAT'), ...THREAD_BOOTSTRAP], { active: heartbeatActive }), nativeId: 11 };
  return dump(main, beat);
}

describe('GIL starvation without native frames', () => {
  it('running on its sleep line, without the GIL, while MainThread runs holding it', async () => {
    const [f] = await diagnose(stacks(true));
    assert.equal(f!.kind, 'gil-wait');
    assert.match(f!.title, /^heartbeat waits for the GIL at hog\.py:4 \(heartbeat\), held by MainThread at hog\.py:8 \(validate\)$/);
  });

  it('idle at this look, but the kernel says it sleeps on a futex, not in its sleep', async () => {
    const [f] = await diagnose(stacks(false), undefined, { process: view({ 11: 'futex' }) });
    assert.equal(f!.kind, 'gil-wait');
  });

  it('idle and in its sleep (or nothing known): a sleep, not a GIL wait', async () => {
    for (const process of [view({ 11: 'sleep' }), undefined]) {
      const found = await diagnose(stacks(false), undefined, process ? { process } : {});
      assert.ok(!found.some((x) => x.kind === 'gil-wait'), JSON.stringify(found.map((x) => x.title)));
    }
  });
});

describe('GIL starvation watched on the kernel before it is told', () => {
  /** A view whose threads used `ran` ticks each between the watch's first and last look. */
  const watched = (calls: Record<number, BlockedCall>, ran: Record<number, number>): ProcessView => {
    let looks = 0;
    return {
      ...view(calls),
      threadCpu: () => new Map([10, 11, 12].map((tid) => [tid, 100 + (looks++ >= 3 ? (ran[tid] ?? 0) : 0)])),
    };
  };
  const threeThreads = () => {
    const main = { ...thread('MainThread', [src.user('validate', app, 'HOG')], { active: true }), ownsGil: true, nativeId: 10 };
    const beat = { ...thread('heartbeat', [src.user('heartbeat', app, 'BEAT'), ...THREAD_BOOTSTRAP], { active: false }), nativeId: 11 };
    const spin = { ...thread('spinner', [src.user('spin', app, 'SPIN'), ...THREAD_BOOTSTRAP], { active: false }), nativeId: 12 };
    return dump(main, beat, spin);
  };

  it('only the holder ran, the others slept on a futex throughout: both starve, the pure-Python one too', async () => {
    const found = await diagnose(threeThreads(), undefined, { process: watched({ 11: 'futex', 12: 'futex' }, { 10: 25 }) });
    assert.deepEqual(
      found
        .filter((f) => f.kind === 'gil-wait')
        .map((f) => f.title.split(' ')[0])
        .sort(),
      ['heartbeat', 'spinner'],
    );
  });

  it('another thread ran meanwhile (the GIL moves), or the holder did not: nobody starves', async () => {
    for (const ran of [{ 10: 12, 12: 9 }, { 10: 0 }] as Record<number, number>[]) {
      const found = await diagnose(threeThreads(), undefined, { process: watched({ 11: 'futex', 12: 'futex' }, ran) });
      assert.ok(!found.some((f) => f.kind === 'gil-wait'), `${JSON.stringify(ran)}: ${JSON.stringify(found.map((f) => f.title))}`);
    }
  });

  it('a waiter seen back in its own sleep during the watch does not starve', async () => {
    let n = 0;
    const process = {
      ...watched({}, { 10: 25 }),
      blockedCall: (tid: number): BlockedCall | undefined => (tid === 11 ? (n++ === 0 ? 'futex' : 'sleep') : 'futex'),
    };
    const found = await diagnose(threeThreads(), undefined, { process });
    assert.deepEqual(
      found.filter((f) => f.kind === 'gil-wait').map((f) => f.title.split(' ')[0]),
      ['spinner'],
    );
  });

  it('a thread asleep on a futex that never wakes (a C library waits on a lock of its own) does not starve; one waking every 5 ms does', async () => {
    let reads = 0;
    const process = {
      ...watched({ 11: 'futex', 12: 'futex' }, { 10: 25 }),
      // Between the two reads, thread 11 woke 50 times (take_gil's 5 ms timed wait), thread 12 never.
      threadWakeups: () =>
        new Map(
          [
            [10, 3],
            [11, 7 + (reads > 0 ? 50 : 0)],
            [12, 4],
          ].map(([t, n]) => [t, n] as [number, number]),
        ).set(0, reads++),
    };
    const found = await diagnose(threeThreads(), undefined, { process });
    assert.deepEqual(
      found.filter((f) => f.kind === 'gil-wait').map((f) => f.title.split(' ')[0]),
      ['heartbeat'],
    );
  });
});
