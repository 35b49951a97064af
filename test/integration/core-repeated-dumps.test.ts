// 200 dumps of the same process: it keeps running (its progress counter advances) and is never
// left stopped. py-spy pauses the target briefly (ptrace stop, state 't'); state 'T' would mean a
// process left stopped, and between dumps it must be running or sleeping.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { hangLine, processState, startProgram, type Started } from '../support/programs';
import { dumpLocal } from '../support/snag';
import { requireTool } from '../support/tools';

const DUMPS = 200;
const CHECK_EVERY = 50;

describe('core: 200 dumps of a running process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'snag-counter-'));
  const progress = join(dir, 'progress');
  let prog: Started;
  before(async () => {
    prog = await startProgram('counter.py', [progress]);
  });
  after(() => {
    prog?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The counter the program last wrote (0 while the file is missing or being rewritten). */
  const counter = () => {
    try {
      return Number(readFileSync(progress, 'utf8')) || 0;
    } catch {
      return 0;
    }
  };
  async function advancesBeyond(value: number): Promise<number> {
    const end = Date.now() + 30_000;
    for (;;) {
      const now = counter();
      if (now > value) return now;
      if (Date.now() > end) assert.fail(`the counter stayed at ${now} (was ${value}): the process stopped counting`);
      await delay(20);
    }
  }

  it('keeps counting and is never left stopped', { timeout: 600_000 }, async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    let last = await advancesBeyond(0);
    const first = last;
    const during: Record<string, number> = {};
    let dumping = false;
    // Sample the state while dumps run, too: a ptrace stop ('t') is expected, a stopped 'T' is not.
    const sampler = setInterval(() => {
      if (!dumping) return;
      const s = processState(prog.pid) ?? 'gone';
      during[s] = (during[s] ?? 0) + 1;
    }, 1);
    t.after(() => clearInterval(sampler));
    const between: string[] = [];
    const line = hangLine('counter.py', 'counter');
    let atSleep = 0;
    for (let i = 1; i <= DUMPS; i++) {
      dumping = true;
      const d = await dumpLocal(prog.pid, pyspy);
      dumping = false;
      const state = processState(prog.pid);
      between.push(state ?? 'gone');
      assert.ok(state && !/^[Tt]/.test(state), `after dump ${i} the process is ${state ?? 'gone'}`);
      const main = d.threads.find((x) => x.name === 'MainThread');
      assert.ok(
        main?.frames.some((f) => f.function === 'count_forever'),
        `dump ${i} shows count_forever`,
      );
      if (main!.frames[0]!.line === line) atSleep++;
      if (i % CHECK_EVERY === 0) last = await advancesBeyond(last);
    }
    clearInterval(sampler);
    assert.equal(during.T ?? 0, 0, `state T seen during dumps: ${JSON.stringify(during)}`);
    assert.ok(last > first);
    t.diagnostic(`counter ${first} → ${last}; states during dumps ${JSON.stringify(during)}; ${atSleep}/${DUMPS} dumps caught it in time.sleep`);
  });
});
