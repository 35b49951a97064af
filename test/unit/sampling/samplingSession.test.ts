import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Sampler } from '../../../src/core/sampling/sampler';
import { pause, type SampleSource } from '../../../src/core/sampling/sampleSource';
import { SamplingSession } from '../../../src/core/sampling/samplingSession';

/** Batches of `ms` each, like one-second recordings, as fast as a clock allows. */
function periodic(ms: number): SampleSource {
  return {
    method: 'periodic',
    async run(onBatch, signal, clock, finish) {
      while (!signal.aborted && !finish?.aborted) {
        const startMs = clock();
        await pause(ms, signal);
        if (signal.aborted) return; // a hard stop drops the batch in progress
        await onBatch({
          startMs,
          endMs: clock(),
          stacks: [{ id: 1, name: 'm', frames: [{ function: 'f', file: '/x.py', line: 1, native: false }], count: 1 }],
        });
      }
    },
  };
}

describe('SamplingSession', () => {
  it('at the end of its duration keeps the batch in progress, then stops', async () => {
    const sampler = new Sampler({ pid: 1, rateHz: 1, method: 'periodic' });
    const session = new SamplingSession({ source: periodic(300), sampler, durationMs: 1000 });
    await session.start();
    assert.equal(session.state, 'stopped');
    // Batches ending at about 300, 600 and 900 ms, and the one running at 1000 ms is kept.
    assert.ok(sampler.profile().durationMs >= 1000, `the last batch ended at ${sampler.profile().durationMs} ms`);
    assert.ok(sampler.samples >= 3 && sampler.samples <= 4, `${sampler.samples} batches`);
  });

  it('stop() ends at once and drops the batch in progress; pause() and start() go on with the same sampler', async () => {
    const sampler = new Sampler({ pid: 1, rateHz: 1, method: 'periodic' });
    const updates: string[] = [];
    const session = new SamplingSession({ source: periodic(1000), sampler, onUpdate: () => updates.push(session.state) });
    const samples = async (n: number) => {
      while (sampler.samples < n) await new Promise((r) => setTimeout(r, 20));
    };
    const first = session.start();
    await samples(1);
    await session.pause();
    await first;
    assert.equal(session.state, 'paused');
    const second = session.start();
    await samples(2);
    await new Promise((r) => setTimeout(r, 100)); // well inside the next one-second batch
    const t0 = Date.now();
    await session.stop();
    await second;
    assert.ok(Date.now() - t0 < 800, 'stop does not wait for the batch in progress');
    assert.equal(session.state, 'stopped');
    assert.equal(sampler.samples, 2, 'the batch in progress is dropped');
    assert.deepEqual([updates[0], updates.at(-1)], ['running', 'stopped']);
    assert.ok(updates.includes('paused'));
  });
});
