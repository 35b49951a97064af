// Draws the flame graph the host laid out: one absolutely placed box per cell, keyed by its call
// path so a box stays the same element (its tooltip, a click on it) while the graph grows.
import type { FlameGraph } from '../../extension/sampling/protocol';
import { opener, type Actions } from './pageState';
import { h, type VElement } from './vnode';

const ROW_PX = 18;
/** Narrower boxes (percent of the graph) show their name only in the tooltip. */
const LABEL_MIN_PCT = 3;

export function flameView(flame: FlameGraph, actions: Actions): VElement {
  if (!flame.cells.length) return h('p', { class: 'empty' }, ['No samples for this thread.']);
  return h(
    'div',
    { key: 'flame', class: 'flame', role: 'tree', 'aria-label': 'Flame graph', style: { height: `${flame.depth * ROW_PX}px` } },
    flame.cells.map((c) =>
      h(
        'div',
        {
          key: c.key,
          class: `cell ${c.kind}`,
          role: 'treeitem',
          style: { left: `${c.leftPct}%`, width: `${c.widthPct}%`, top: `${c.depth * ROW_PX}px` },
          title: c.tooltip,
          on: { click: opener(actions, c.open) },
        },
        [c.widthPct > LABEL_MIN_PCT ? c.label : ''],
      ),
    ),
  );
}
