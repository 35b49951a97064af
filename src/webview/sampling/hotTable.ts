// A top-like table of the hot lines or functions the host counted: the page filters and sorts it
// (its own state) and shows the first rows; a click on a row opens its line. %Own and %Total are
// wall-clock shares (py-spy counts a waiting thread's samples too); the CPU columns, when the host
// sent them, are shares of the samples in which a thread was running.
import type { HotRow } from '../../extension/sampling/protocol';
import { opener, type Actions, type PageState, type SortKey } from './pageState';
import { h, type VElement } from './vnode';

/** Rows drawn (of the few hundred the host sends), after the filter. */
const SHOWN_ROWS = 200;

const fmt = (n: number) => n.toFixed(1);

export function matchesFilter(r: HotRow, filter: string): boolean {
  const q = filter.trim().toLowerCase();
  return !q || r.function.toLowerCase().includes(q) || r.file.toLowerCase().includes(q);
}

export function sortRows(rows: HotRow[], sort: SortKey, desc: boolean): HotRow[] {
  const by = (r: HotRow) => (sort === 'own' ? r.ownPct : sort === 'cpuOwn' ? (r.cpuOwnPct ?? 0) : sort === 'cpuTotal' ? (r.cpuTotalPct ?? 0) : r.totalPct);
  return [...rows].sort((a, b) => {
    const d = sort === 'function' ? a.function.localeCompare(b.function) : by(a) - by(b) || a.totalPct - b.totalPct;
    return desc ? -d : d;
  });
}

/** The sentence under the filter: what the shares are of. Wall-clock first: that is what %Own means. */
export function sharesNote(samples: number, cpuSamples: number | undefined): string {
  const wall = 'Wall-clock shares: every sample counts, also those of threads that were waiting (py-spy counts idle threads).';
  if (cpuSamples === undefined) return `${wall} Which samples ran on the CPU is not known for this session.`;
  if (cpuSamples === 0) return `${wall} CPU: none of the ${samples} samples caught a thread running; every thread was waiting.`;
  return `${wall} CPU columns: shares of the ${cpuSamples} samples in which a thread was running.`;
}

export function hotTable(rows: HotRow[], ui: PageState, actions: Actions, cpu = false): VElement {
  const th = (key: SortKey, label: string, cls?: string, title?: string) =>
    h(
      'th',
      {
        class: cls,
        ...(title ? { title } : {}),
        'aria-sort': ui.sort === key ? (ui.desc ? 'descending' : 'ascending') : 'none',
        on: { click: () => actions.change({ desc: ui.sort === key ? !ui.desc : key !== 'function', sort: key }) },
      },
      [label + (ui.sort === key ? (ui.desc ? ' ▾' : ' ▴') : '')],
    );
  const shown = sortRows(
    rows.filter((r) => matchesFilter(r, ui.filter)),
    ui.sort,
    ui.desc,
  ).slice(0, SHOWN_ROWS);
  return h('table', { class: 'top' }, [
    h('thead', {}, [
      h('tr', {}, [
        th('own', '%Own', 'num', 'Wall-clock: samples stopped on this line, waiting or running'),
        th('total', '%Total', 'num', 'Wall-clock: samples with this line anywhere on the stack'),
        ...(cpu
          ? [
              th('cpuOwn', 'CPU %Own', 'num', 'Of the samples in which a thread was running: stopped on this line'),
              th('cpuTotal', 'CPU %Total', 'num', 'Of the samples in which a thread was running: this line anywhere on the stack'),
            ]
          : []),
        th('function', ui.tab === 'functions' ? 'Function (file)' : 'Function (file:line)'),
      ]),
    ]),
    h(
      'tbody',
      {},
      shown.map((r) =>
        h('tr', { key: r.key, class: (r.isUserCode ? 'user' : 'lib') + (r.open ? ' link' : ''), title: r.tooltip, on: { click: opener(actions, r.open) } }, [
          h('td', { class: 'num' }, [h('span', { class: 'bar', style: { width: `${Math.min(100, r.ownPct)}%` } }), h('span', { class: 'v' }, [fmt(r.ownPct)])]),
          h('td', { class: 'num' }, [fmt(r.totalPct)]),
          ...(cpu ? [h('td', { class: 'num cpu' }, [fmt(r.cpuOwnPct ?? 0)]), h('td', { class: 'num cpu' }, [fmt(r.cpuTotalPct ?? 0)])] : []),
          h('td', { class: 'fn' }, [h('span', { class: 'name' }, [r.function]), ' ', h('span', { class: 'loc' }, [r.location])]),
        ]),
      ),
    ),
  ]);
}
