// The Sampling page's render functions, without a browser: they return VNode trees (what patch.ts
// puts into the DOM, as text nodes and attributes only). test/e2e/sampling-page.test.ts runs the
// bundled page in Chromium; test/reliability/sampling-page.test.ts feeds it hostile names.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HotRow, PageMessage, ProfileModel, SamplingModel } from '../../../src/extension/sampling/protocol';
import { renderPage } from '../../../src/webview/sampling/page';
import { restoreState, type Actions, type PageState } from '../../../src/webview/sampling/pageState';
import type { VNode } from '../../../src/webview/sampling/vnode';
import { allElements as all, byClass, textOf } from '../../support/vnodes';

const row = (fn: string, own: number, o: Partial<HotRow> = {}): HotRow => ({
  key: `${fn}|/app/w.py|1`,
  function: fn,
  file: '/app/w.py',
  location: 'w.py:1',
  tooltip: '/ws/w.py',
  isUserCode: true,
  ownPct: own,
  totalPct: own,
  open: { file: '/ws/w.py', line: 1 },
  ...o,
});

function profile(o: Partial<ProfileModel> = {}): ProfileModel {
  return {
    samples: 40,
    facts: '40 thread-samples · 4.0 s · py-spy record',
    notes: [],
    findings: [],
    threads: [{ id: 7, name: 'MainThread', status: 'busy', headline: 'MainThread busy at spin (w.py:1)', samples: 40, open: { file: '/ws/w.py', line: 1 } }],
    tables: { thread: 'all', samples: 40, lines: [row('spin', 60), row('tick', 30, { key: 'tick' }), row('main', 10, { key: 'main' })], functions: [] },
    flame: { thread: 'all', depth: 2, cells: [] },
    ...o,
  };
}

const model = (p?: ProfileModel, o: Partial<SamplingModel> = {}): SamplingModel => ({
  state: 'running',
  rateHz: 10,
  startAgain: false,
  title: 'python3 w.py (pid 1) on Local',
  ...(p ? { profile: p } : {}),
  ...o,
});

function page(m: SamplingModel | undefined, state: Partial<PageState> = {}) {
  const posted: PageMessage[] = [];
  const changes: Partial<PageState>[] = [];
  const actions: Actions = { post: (msg) => posted.push(msg), change: (c) => changes.push(c) };
  return { nodes: renderPage(m, { ...restoreState(undefined), ...state }, actions), posted, changes };
}

describe('Sampling page rendering', () => {
  it('the hint and the rows follow the tables the host sent, not the pick that is on its way', () => {
    const { nodes } = page(model(profile()), { thread: '7' });
    assert.equal(textOf(all(nodes).find((e) => e.attrs.class === 'hint')!), 'shares of all threads’ samples');
    const picker = all(nodes).find((e) => e.attrs['aria-label'] === 'Thread')!;
    assert.equal(picker.value, '7', 'the picker shows the pick');
    const one = page(model(profile({ tables: { thread: 7, samples: 40, lines: [row('spin', 100)], functions: [] } })), { thread: '7' });
    assert.equal(textOf(all(one.nodes).find((e) => e.attrs.class === 'hint')!), 'shares of this thread’s samples');
  });

  it('says the shares are wall-clock, and shows CPU-only columns when the host counted running samples', () => {
    const note = (nodes: VNode[]) => textOf(byClass(nodes, 'shares-note')[0]!);
    const heads = (nodes: VNode[]) =>
      all(nodes)
        .filter((e) => e.tag === 'th')
        .map((e) => textOf(e).replace(/ [▾▴]$/, ''));
    const plain = page(model(profile())).nodes;
    assert.match(note(plain), /^Wall-clock shares: .*threads that were waiting \(py-spy counts idle threads\)\. Which samples ran on the CPU is not known/);
    assert.deepEqual(heads(plain), ['%Own', '%Total', 'Function (file:line)']);
    const idle = profile({ tables: { thread: 'all', samples: 40, cpuSamples: 0, lines: [row('recv', 50, { cpuOwnPct: 0, cpuTotalPct: 0 })], functions: [] } });
    const idleNodes = page(model(idle)).nodes;
    assert.match(note(idleNodes), /none of the 40 samples caught a thread running; every thread was waiting/);
    assert.deepEqual(heads(idleNodes), ['%Own', '%Total', 'CPU %Own', 'CPU %Total', 'Function (file:line)']);
    const busy = profile({
      tables: {
        thread: 'all',
        samples: 40,
        cpuSamples: 19,
        lines: [row('wait', 50, { key: 'wait', cpuOwnPct: 0, cpuTotalPct: 0 }), row('spin', 50, { cpuOwnPct: 100, cpuTotalPct: 100 })],
        functions: [],
      },
    });
    const { nodes } = page(model(busy), { sort: 'cpuOwn', desc: true });
    assert.match(note(nodes), /CPU columns: shares of the 19 samples in which a thread was running/);
    assert.deepEqual(byClass(nodes, 'name').map(textOf), ['spin', 'wait'], 'sorted by the CPU share');
    assert.deepEqual(byClass(nodes, 'cpu').map(textOf), ['100.0', '100.0', '0.0', '0.0']);
  });

  it('the filter and the sort are the page’s own: rows filtered and ordered, clicks open lines', () => {
    const names = (nodes: VNode[]) => byClass(nodes, 'name').map(textOf);
    assert.deepEqual(names(page(model(profile())).nodes), ['spin', 'tick', 'main']);
    assert.deepEqual(names(page(model(profile()), { filter: ' TIC ' }).nodes), ['tick']);
    assert.deepEqual(names(page(model(profile()), { sort: 'function', desc: false }).nodes), ['main', 'spin', 'tick']);
    const { nodes, posted, changes } = page(model(profile()));
    const rows = all(nodes).filter((e) => e.tag === 'tr' && e.key !== undefined);
    assert.deepEqual(
      rows.map((r) => r.key),
      ['spin|/app/w.py|1', 'tick', 'main'],
      'rows keyed (they keep their element while they move)',
    );
    rows[0]!.on.click!();
    assert.deepEqual(posted, [{ type: 'open', file: '/ws/w.py', line: 1 }]);
    all(nodes).find((e) => e.tag === 'th' && textOf(e).startsWith('Function'))!.on.click!();
    assert.deepEqual(changes, [{ desc: false, sort: 'function' }]);
  });

  it('the flame graph: a keyed box per cell, placed by the host, named when wide enough', () => {
    const cells = [
      { key: '/t7', kind: 'thread' as const, depth: 0, leftPct: 0, widthPct: 100, label: 'MainThread', tooltip: 'MainThread — 40 samples (100.0 %)' },
      {
        key: '/t7/f1',
        kind: 'user' as const,
        depth: 1,
        leftPct: 0,
        widthPct: 2,
        label: 'spin (w.py:1)',
        tooltip: 'spin (w.py:1) — 1 samples (2.0 %)',
        open: { file: '/ws/w.py', line: 1 },
      },
    ];
    const { nodes, posted } = page(model(profile({ flame: { thread: 'all', depth: 2, cells } })), { tab: 'flame' });
    const boxes = byClass(nodes, 'cell');
    assert.deepEqual(
      boxes.map((b) => [b.key, b.attrs.class, b.style.top, b.style.left, b.style.width, textOf(b)]),
      [
        ['/t7', 'cell thread', '0px', '0%', '100%', 'MainThread'],
        ['/t7/f1', 'cell user', '18px', '0%', '2%', ''],
      ],
    );
    assert.equal(byClass(nodes, 'flame')[0]!.style.height, '36px');
    assert.equal(boxes[0]!.on.click, undefined, 'a thread box opens nothing');
    boxes[1]!.on.click!();
    assert.deepEqual(posted, [{ type: 'open', file: '/ws/w.py', line: 1 }]);
  });

  it('before any samples: the header and a hint; Start again once a live session stopped', () => {
    const empty = page(undefined).nodes;
    assert.match(textOf(empty[0]!), /■ stoppedNothing sampled yet/);
    assert.match(textOf(empty.at(-1)!), /Right-click a Python process/);
    const again = page(model(profile(), { state: 'stopped', startAgain: true })).nodes;
    const start = all(again).find((e) => e.attrs['data-command'] === 'start')!;
    assert.equal(textOf(start), 'Start again');
    assert.equal(all(again).find((e) => e.attrs['data-command'] === 'stop')!.attrs.disabled, '');
    assert.deepEqual(
      again.map((n) => (typeof n === 'string' ? n : n.key)),
      ['header', 'threads', 'body'],
      'top-level parts keyed',
    );
  });

  it('the saved state: kept when it makes sense, defaults otherwise', () => {
    assert.deepEqual(restoreState({ tab: 'flame', sort: 'total', desc: false, filter: 'x', thread: '12' }), {
      tab: 'flame',
      sort: 'total',
      desc: false,
      filter: 'x',
      thread: '12',
    });
    assert.deepEqual(restoreState({ tab: 'nope', sort: 1, thread: '<b>' }), { tab: 'lines', sort: 'own', desc: true, filter: '', thread: 'all' });
    assert.deepEqual(restoreState(null), restoreState(undefined));
  });
});
