// The finding rules run in one order, written once (findings/ruleOrder.ts): a dump's findings and
// what a sampled thread waits in take their rules from the same list.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signalWait } from '../../../src/core/findings/signalWait';
import { threadRules } from '../../../src/core/findings/ruleOrder';

describe('threadRules', () => {
  it('dumps and sampling get the same rules in the same order; only a worker’s signal wait differs', () => {
    const dump = threadRules([], { workerSignals: false });
    const sampling = threadRules([], { workerSignals: true });
    assert.equal(dump.length, sampling.length);
    const differ = dump.map((r, i) => (r === sampling[i] ? -1 : i)).filter((i) => i >= 0);
    // The join rule is made per call (it names the other threads); the signal rule is the one that differs.
    const signalAt = sampling.indexOf(signalWait);
    assert.ok(signalAt > 0, 'sampling recognises a signal wait');
    assert.ok(!dump.includes(signalWait), 'a dump passes a worker’s signal wait over');
    assert.ok(
      differ.every((i) => i === signalAt || dump[i]!.name === sampling[i]!.name),
      JSON.stringify(differ),
    );
  });
});
