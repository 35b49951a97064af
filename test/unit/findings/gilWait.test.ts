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
