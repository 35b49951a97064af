import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { heatByFile, heatLevel, heatText } from '../../../src/core/format/heat';
import { Sampler } from '../../../src/core/sampling/sampler';

describe('heat', () => {
  it('levels rise with the own share', () => {
    assert.deepEqual([0, 0.4, 0.5, 4.9, 5, 20, 30, 49, 50, 100].map(heatLevel), [0, 0, 1, 1, 2, 3, 4, 4, 5, 5]);
  });

  it('marks hot lines and caller lines of local files only', async () => {
    const s = new Sampler({
      pid: 1,
      rateHz: 10,
      method: 't',
      mapFrame: async (f) => (f.file.startsWith('/app/') ? { localFile: f.file.replace('/app', '/ws'), isUserCode: true } : { isUserCode: false }),
    });
    const fr = (fn: string, line: number, file = '/app/w.py') => ({ function: fn, file, line, native: false });
    await s.add({
      startMs: 0,
      endMs: 1000,
      stacks: [
        { id: 1, name: 'm', frames: [fr('crunch', 9), fr('main', 2)], count: 60 },
        { id: 1, name: 'm', frames: [fr('sum', 0, '/usr/lib/python3.11/x.py'), fr('crunch', 10), fr('main', 2)], count: 40 },
      ],
    });
    const heat = heatByFile(s.profile());
    assert.deepEqual([...heat.keys()], ['/ws/w.py']);
    const byLine = Object.fromEntries(heat.get('/ws/w.py')!.map((m) => [m.line, m]));
    assert.equal(byLine[9]!.level, 5);
    assert.equal(byLine[9]!.text, '🔥 60.0 %');
    assert.equal(byLine[10]!.level, 0, 'only a caller: text, no tint');
    assert.equal(byLine[10]!.text, '↳ 40.0 % in calls');
    assert.equal(byLine[2]!.totalPercent, 100);
  });

  it('says the share with calls only where it differs, to keep the line short', () => {
    assert.equal(heatText(45, 60), '🔥 45.0 % · 60.0 % with calls');
    assert.equal(heatText(45, 45.05), '🔥 45.0 %');
    assert.equal(heatText(0, 12.5), '↳ 12.5 % in calls');
  });

  it('a line no sample was on the CPU at says its shares are of the wall clock (a process at 0 % CPU is hot nowhere)', () => {
    assert.equal(heatText(0, 50, true), '↳ 50.0 % wall-clock in calls');
    assert.equal(heatText(50, 50, true), '⏳ 50.0 % wall-clock');
    assert.equal(heatText(40, 50, true), '⏳ 40.0 % · 50.0 % wall-clock with calls');
  });

  it('a process at 0 % CPU: its lines are marked as wall-clock waits, the line of a running thread stays hot', async () => {
    const s = new Sampler({ pid: 1, rateHz: 10, method: 't', mapFrame: async () => ({ localFile: '/ws/w.py', isUserCode: true }) });
    const fr = (fn: string, line: number) => ({ function: fn, file: '/app/w.py', line, native: false });
    await s.add({
      startMs: 0,
      endMs: 1000,
      stacks: [
        { id: 1, name: 'reader', frames: [fr('recv', 7), fr('main', 2)], count: 50 },
        { id: 2, name: 'waiter', frames: [fr('wait', 9), fr('main', 2)], count: 50 },
      ],
      activeStacks: [],
    });
    const byLine = Object.fromEntries(
      heatByFile(s.profile())
        .get('/ws/w.py')!
        .map((m) => [m.line, m.text]),
    );
    assert.deepEqual(byLine, { 7: '⏳ 50.0 % wall-clock', 9: '⏳ 50.0 % wall-clock', 2: '↳ 100.0 % wall-clock in calls' });
    const busy = { id: 3, name: 'busy', frames: [fr('crunch', 12)], count: 100 };
    await s.add({ startMs: 1000, endMs: 2000, stacks: [busy], activeStacks: [busy] });
    const after = Object.fromEntries(
      heatByFile(s.profile())
        .get('/ws/w.py')!
        .map((m) => [m.line, m.text]),
    );
    assert.equal(after[12], '🔥 50.0 %');
    assert.equal(after[7], '⏳ 25.0 % wall-clock');
  });
});
