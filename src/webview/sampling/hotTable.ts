// A top-like table of the hot lines or functions the host counted: the page filters and sorts it
// (its own state) and shows the first rows; a click on a row opens its line.
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
  const by = (r: HotRow) => (sort === 'own' ? r.ownPct : r.totalPct);
  return [...rows].sort((a, b) => {
    const d = sort === 'function' ? a.function.localeCompare(b.function) : by(a) - by(b) || a.totalPct - b.totalPct;
    return desc ? -d : d;
  });
}

export function hotTable(rows: HotRow[], ui: PageState, actions: Actions): VElement {
  const th = (key: SortKey, label: string, cls?: string) =>
    h(
      'th',
      {
        class: cls,
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
        th('own', '%Own', 'num'),
        th('total', '%Total', 'num'),
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
          h('td', { class: 'fn' }, [h('span', { class: 'name' }, [r.function]), ' ', h('span', { class: 'loc' }, [r.location])]),
        ]),
      ),
    ),
  ]);
}
