// Hostile names on their way to the Sampling page: a thread, a function and a file named with HTML,
// an ESC sequence and a right-to-left override go through the sampler, the host's view model (exact
// strings, as in --json) and the page's render functions, which show them as escaped text only.
// test/e2e/sampling-page.test.ts puts such names into a real DOM in Chromium.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SampleFrame } from '../../src/core/model';
import { Sampler } from '../../src/core/sampling/sampler';
import { samplingPageModel } from '../../src/extension/sampling/pageModel';
import type { ThreadChoice } from '../../src/extension/sampling/protocol';
import { renderPage } from '../../src/webview/sampling/page';
import { restoreState, type PageState } from '../../src/webview/sampling/pageState';
import { allElements, byClass, textOf } from '../support/vnodes';

const HOSTILE = '<img src=x onerror="alert(1)">\u202eevil\x1b[2J\n';
const SHOWN = '<img src=x onerror="alert(1)">\\u202eevil\\e[2J\\n';
const RAW = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/; // eslint-disable-line no-control-regex

async function hostileModel(thread: ThreadChoice) {
  const s = new Sampler({
    pid: 1,
    rateHz: 10,
    method: 'py-spy record',
    stuckAfterSeconds: 1,
    mapFrame: async () => ({ isUserCode: true, localFile: `/ws/${HOSTILE}.py` }),
  });
  const frames: SampleFrame[] = [
    { function: HOSTILE, file: `/app/${HOSTILE}.py`, line: 3, native: false },
    { function: 'main', file: '/app/w.py', line: 9, native: false },
  ];
  for (let i = 0; i < 3; i++) await s.add({ startMs: i * 1000, endMs: (i + 1) * 1000, stacks: [{ id: 7, name: HOSTILE, frames, count: 10 }] });
  const snapshot = { state: 'running' as const, rateHz: 10, title: `${HOSTILE} (pid 1) on Local`, error: HOSTILE, profile: s.profile() };
  return samplingPageModel({ snapshot, thread, startAgain: false, documentOf: (x) => x.localFile });
}

function render(model: Awaited<ReturnType<typeof hostileModel>>, ui: Partial<PageState> = {}) {
  return renderPage(model, { ...restoreState(undefined), ...ui }, { post: () => undefined, change: () => undefined });
}

describe('Sampling page: hostile names from the target', () => {
  it('the host keeps the exact strings; the page shows them escaped, as text', async () => {
    const model = await hostileModel(7);
    assert.equal(model.profile!.threads[0]!.name, HOSTILE, 'exact in the view model');
    for (const tab of ['lines', 'functions', 'flame'] as const) {
      const nodes = render(model, { tab, thread: '7' });
      assert.ok(!allElements(nodes).some((e) => e.tag === 'img'), `${tab}: no element made from a name`);
      const texts = [...allElements(nodes).flatMap((e) => [...e.kids.filter((k): k is string => typeof k === 'string'), ...Object.values(e.attrs)])];
      assert.deepEqual(
        texts.filter((t) => RAW.test(t)),
        [],
        `${tab}: no raw control, bidi or line-break character in any text or attribute`,
      );
      assert.ok(textOf(byClass(nodes, 'headline')[0]!).startsWith(`${SHOWN} stuck for`), tab);
      assert.equal(textOf(byClass(nodes, 'what')[0]!), `${SHOWN} (pid 1) on Local`);
      assert.equal(textOf(byClass(nodes, 'error')[0]!), SHOWN);
      const option = allElements(nodes).find((e) => e.tag === 'option' && e.attrs.value === '7')!;
      assert.equal(textOf(option), SHOWN, 'the thread picker');
    }
    const lines = render(model, { tab: 'lines' });
    assert.equal(textOf(byClass(lines, 'name')[0]!), SHOWN);
    assert.ok(byClass(lines, 'loc')[0] && textOf(byClass(lines, 'loc')[0]!).includes('\\u202e'), 'the file name');
    const flame = render(model, { tab: 'flame' });
    const box = byClass(flame, 'cell').find((c) => c.attrs.class === 'cell user' && c.attrs.title?.startsWith('<img'))!;
    assert.ok(box.attrs.title!.startsWith(SHOWN), 'a box’s tooltip');
  });
});
