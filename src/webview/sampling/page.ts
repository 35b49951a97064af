// The whole page for one view model and the page's state: header, error, notes, findings, threads,
// and the tabs (lines, functions, flame graph). Top-level parts are keyed, so the body (and the
// filter in it) stays the same element when an error or a finding appears above it.
import type { ProfileModel, SamplingModel, ThreadRow } from '../../extension/sampling/protocol';
import { flameView } from './flameView';
import { header } from './header';
import { hotTable, sharesNote } from './hotTable';
import type { Actions, PageState, Tab } from './pageState';
import { findingList, threadList } from './threadList';
import { h, type Child, type VElement } from './vnode';

const TABS: [Tab, string][] = [
  ['lines', 'Lines'],
  ['functions', 'Functions'],
  ['flame', 'Flame graph'],
];

/** All threads or one, for the table and the flame graph alike. */
function threadPicker(threads: ThreadRow[], ui: PageState, actions: Actions): VElement {
  return h('select', { 'aria-label': 'Thread', current: ui.thread, on: { change: (thread) => actions.change({ thread }) } }, [
    h('option', { value: 'all' }, ['All threads']),
    ...threads.map((t) => h('option', { value: String(t.id) }, [t.name])),
  ]);
}

function body(model: SamplingModel | undefined, ui: PageState, actions: Actions): VElement {
  const p = model?.profile;
  if (!p?.samples) {
    const text =
      model?.state === 'running'
        ? 'Waiting for the first samples…'
        : 'Right-click a Python process in the Processes view → Start Sampling, or load a saved session.';
    return h('p', { key: 'empty', class: 'empty' }, [text]);
  }
  const tabs = h(
    'div',
    { class: 'tabs', role: 'tablist' },
    TABS.map(([id, label]) =>
      h(
        'button',
        {
          role: 'tab',
          class: ui.tab === id ? 'tab active' : 'tab',
          'aria-selected': ui.tab === id ? 'true' : 'false',
          on: { click: () => actions.change({ tab: id }) },
        },
        [label],
      ),
    ),
  );
  return h('div', { key: 'body', class: 'body' }, [tabs, ...tabBody(p, ui, actions)]);
}

function tabBody(p: ProfileModel, ui: PageState, actions: Actions): VElement[] {
  const picker = threadPicker(p.threads, ui, actions);
  if (ui.tab === 'flame') {
    return [
      h('div', {}, [
        h('div', { class: 'flame-bar' }, [picker, h('span', { class: 'hint' }, ['Outermost call on top · click a frame to open it'])]),
        flameView(p.flame, actions),
      ]),
    ];
  }
  const filter = h('input', {
    type: 'search',
    placeholder: 'Filter functions and files',
    'aria-label': 'Filter',
    current: ui.filter,
    on: { input: (filter) => actions.change({ filter }) },
  });
  // Said by the tables the host sent (not by the pick): the shares are of what the hint says.
  const hint = p.tables.thread === 'all' ? 'shares of all threads’ samples' : 'shares of this thread’s samples';
  const rows = ui.tab === 'functions' ? p.tables.functions : p.tables.lines;
  const cpu = p.tables.cpuSamples !== undefined;
  return [
    h('div', { class: 'filter' }, [picker, filter, h('span', { class: 'hint' }, [hint])]),
    h('p', { class: 'shares-note' }, [sharesNote(p.tables.samples, p.tables.cpuSamples)]),
    hotTable(rows, ui, actions, cpu),
  ];
}

export function renderPage(model: SamplingModel | undefined, ui: PageState, actions: Actions): VElement[] {
  const p = model?.profile;
  const parts: Child[] = [
    header(model, actions),
    model?.error ? h('div', { key: 'error', class: 'error', role: 'alert' }, [model.error]) : null,
    ...(p?.notes ?? []).map((n) => h('div', { key: `note:${n}`, class: 'note' }, [n])),
    p?.findings.length ? findingList(p.findings, actions) : null,
    p?.threads.length ? threadList(p.threads, actions) : null,
    body(model, ui, actions),
  ];
  return parts.filter((x): x is VElement => !!x);
}
