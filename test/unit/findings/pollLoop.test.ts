import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { diagnose } from '../../../src/core/findings/diagnose';
import { pollLoop } from '../../../src/core/findings/pollLoop';
import { SourceLines } from '../../../src/core/findings/sourceLines';
import { stackWaitExplainer } from '../../../src/core/sampling/stackWait';
import { dump, lib, SourceDir, thread, THREAD_BOOTSTRAP } from './dumpBuilder';

const src = new SourceDir();
after(() => src.remove());
const loops = src.file(
  'loops.py',
  `import os, queue, time

def wait_for_file(path):
    while not os.path.exists(path):
        time.sleep(0.2)  # FILE

def wait_for_item(q):
    while True:
        try:
            item = q.get(timeout=0.1)  # ITEM
            break
        except queue.Empty:
            continue
    return item

def until_env():
    while True:
        time.sleep(0.05)  # ENV
        if os.environ.get("GO"):
            break

def until_stopped(self):
    while not self._stop.is_set():
        time.sleep(1)  # STOP

def periodic():
    while True:
        time.sleep(0.3)  # PERIODIC
        send_heartbeat()

def forever():
    while True:
        time.sleep(3600)  # FOREVER

def polls_with_work(q):
    while not done:
        time.sleep(0.5)  # WORK
        check_things()

def over_lines(self):
    while (not self.ready  # a comment with a ) in it
           and self.tries < 10):
        time.sleep(0.25)  # LINES

def negated_group():
    while not (os.path.exists("/run/a") or os.path.exists("/run/b")):
        time.sleep(1)  # GROUP
`,
);

const source = new SourceLines();
const at = (fn: string, tag: string) => src.user(fn, loops, tag);

describe('poll loops, read from the source', () => {
  it('while not <cond>: sleep', async () => {
    const p = await pollLoop(at('wait_for_file', 'FILE'), source);
    assert.deepEqual(p, { ends: 'until `os.path.exists(path)`', every: 0.2, line: 4, stopFlag: false });
  });

  it('while True with a break after a wait that timed out (queue.Empty → continue)', async () => {
    const p = await pollLoop(at('wait_for_item', 'ITEM'), source);
    assert.equal(p?.every, 0.1);
    assert.equal(p?.ends, undefined);
    assert.equal(p?.stopFlag, false);
  });

  it('while True with `if cond:` and its break on the next line', async () => {
    const p = await pollLoop(at('until_env', 'ENV'), source);
    assert.equal(p?.ends, 'until `os.environ.get("GO")`');
  });

  it('a condition over several lines is read whole; `not a and b` is no "until a and b"', async () => {
    assert.deepEqual(await pollLoop(at('over_lines', 'LINES'), source), {
      ends: 'while `not self.ready and self.tries < 10`',
      every: 0.25,
      line: src.line(loops, 'while (not self.ready'),
      stopFlag: false,
    });
    assert.equal((await pollLoop(at('negated_group', 'GROUP'), source))?.ends, 'while `not (os.path.exists("/run/a") or os.path.exists("/run/b"))`');
  });

  it('a stop flag is told apart', async () => {
    const p = await pollLoop(at('until_stopped', 'STOP'), source);
    assert.equal(p?.stopFlag, true);
    assert.equal(p?.ends, 'until `self._stop.is_set()`');
  });

  it('not a poll: a loop that does work each time, one with no end, one whose body does more than wait', async () => {
    assert.equal(await pollLoop(at('periodic', 'PERIODIC'), source), undefined);
    assert.equal(await pollLoop(at('forever', 'FOREVER'), source), undefined);
    assert.equal(await pollLoop(at('polls_with_work', 'WORK'), source), undefined);
  });

  it('a dump says what the loop polls for, not just "sleeps"', async () => {
    const [f] = await diagnose(dump(thread('MainThread', [lib('sleep', 'time.py'), at('wait_for_file', 'FILE')].slice(1))));
    assert.equal(f!.kind, 'sleep');
    assert.equal(f!.title, 'MainThread polls every 0.2 s until `os.path.exists(path)` at loops.py:5 (wait_for_file)');
    assert.match(f!.detail!, /loop \(line 4\) that does nothing else and goes on until `os\.path\.exists\(path\)`/);
  });

  it('sampling: a worker polling is not parked; one waiting for its stop flag or sleeping between jobs is', async () => {
    const explain = stackWaitExplainer(new SourceLines());
    const worker = (fn: string, tag: string) => explain(thread('worker', [at(fn, tag), ...THREAD_BOOTSTRAP]));
    const polling = await worker('wait_for_file', 'FILE');
    assert.equal(polling?.parked, undefined);
    assert.match(polling!.phrase, /^polls every 0\.2 s until/);
    assert.equal((await worker('until_stopped', 'STOP'))?.parked, true);
    assert.match((await worker('until_stopped', 'STOP'))!.phrase, /^waits for its stop flag/);
    assert.equal((await worker('forever', 'FOREVER'))?.parked, true);
    assert.equal((await worker('periodic', 'PERIODIC'))?.parked, true);
  });
});
