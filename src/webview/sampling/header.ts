// The page's header: what is sampled and how it goes, and the controls (start/pause/resume, stop,
// rate, save, load), each posted to the host as a command.
import { SAMPLING_RATES, type PageCommand, type SamplingModel } from '../../extension/sampling/protocol';
import type { Actions } from './pageState';
import { h, type VElement } from './vnode';

function button(actions: Actions, label: string, command: PageCommand, o: { primary?: boolean; title?: string; disabled?: boolean } = {}): VElement {
  return h(
    'button',
    {
      class: o.primary ? 'btn primary' : 'btn',
      title: o.title,
      disabled: o.disabled,
      'data-command': command,
      on: { click: () => actions.post({ type: 'command', command }) },
    },
    [label],
  );
}

const BADGES = { running: '● sampling', paused: '❚❚ paused', stopped: '■ stopped' };

export function header(model: SamplingModel | undefined, actions: Actions): VElement {
  const state = model?.state ?? 'stopped';
  const p = model?.profile;
  const again = model?.startAgain === true;
  const first =
    state === 'running'
      ? button(actions, 'Pause', 'pause')
      : state === 'paused'
        ? button(actions, 'Resume', 'resume', { primary: true })
        : button(actions, again ? 'Start again' : 'Start…', 'start', {
            primary: true,
            title: again ? 'Sample the same process again' : 'Pick a process to sample',
          });
  const rate = h(
    'select',
    { 'aria-label': 'Samples per second', current: String(model?.rateHz ?? ''), on: { change: (v) => actions.post({ type: 'rate', rateHz: Number(v) }) } },
    SAMPLING_RATES.map((r) => h('option', { value: String(r) }, [`${r} Hz`])),
  );
  const controls = h('div', { class: 'controls' }, [
    first,
    button(actions, 'Stop', 'stop', { disabled: state === 'stopped' }),
    h('label', { class: 'rate' }, ['Rate ', rate]),
    button(actions, 'Save', 'save', { disabled: !p?.samples, title: 'Save as speedscope JSON' }),
    button(actions, 'Load…', 'load', { title: 'Load a speedscope JSON file' }),
  ]);
  return h('header', { key: 'header' }, [
    h('div', { class: 'title' }, [
      h('span', { class: `badge ${state}` }, [BADGES[state]]),
      h('span', { class: 'what' }, [model?.title ?? 'Nothing sampled yet']),
    ]),
    p ? h('div', { class: 'facts' }, [p.facts]) : null,
    controls,
  ]);
}
