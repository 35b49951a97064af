// The threads as the host describes them (stuck, busy, idle, where, what they wait in), and what
// the rules looking across threads found (a deadlock, a blocked event loop). A click opens the line.
import type { FindingRow, ThreadRow } from '../../extension/sampling/protocol';
import { opener, type Actions } from './pageState';
import { h, type VElement } from './vnode';

const STATUS_DOTS = { stuck: '■', busy: '▶', idle: '·' };
const SEVERITY_DOTS = { error: '⛔', warning: '⚠', info: 'ℹ' };

export function threadList(threads: ThreadRow[], actions: Actions): VElement {
  return h(
    'ul',
    { key: 'threads', class: 'threads', 'aria-label': 'Threads', 'aria-live': 'polite' },
    threads.map((t) =>
      h(
        'li',
        {
          key: t.id,
          class: `thread ${t.status}${t.open ? ' link' : ''}`,
          'data-status': t.status,
          title: `${t.samples} samples`,
          on: { click: opener(actions, t.open) },
        },
        [h('span', { class: 'dot', 'aria-hidden': 'true' }, [STATUS_DOTS[t.status]]), h('span', { class: 'headline' }, [t.headline])],
      ),
    ),
  );
}

export function findingList(findings: FindingRow[], actions: Actions): VElement {
  return h(
    'ul',
    { key: 'findings', class: 'findings', 'aria-label': 'Findings' },
    findings.map((f) =>
      h('li', { key: f.key, class: `finding sev-${f.severity}${f.open ? ' link' : ''}`, title: f.detail || f.title, on: { click: opener(actions, f.open) } }, [
        h('span', { class: 'dot', 'aria-hidden': 'true' }, [SEVERITY_DOTS[f.severity]]),
        h('span', { class: 'headline' }, [f.title]),
      ]),
    ),
  );
}
