// The Sampling view's page: renders snapshots the extension posts (threads, a top-like table,
// a flame graph) and posts back what the user clicks. No framework and no network: the
// Content-Security-Policy allows this script and the stylesheet only.
// @ts-check
(function () {
  // @ts-ignore acquireVsCodeApi is provided by the webview host
  const vscode = acquireVsCodeApi();
  const RATES = [1, 5, 10, 25, 50, 100];
  const ui = Object.assign({ tab: 'lines', sort: 'own', desc: true, filter: '', thread: 'all' }, vscode.getState() || {});
  /** @type {any} */
  let snap;
  const app = /** @type {HTMLElement} */ (document.getElementById('app'));

  /** @param {string} tag @param {Record<string, any>} [attrs] @param {(Node|string|null|undefined)[]} [kids] */
  function h(tag, attrs, kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.className = v;
      // Through the CSSOM: the Content-Security-Policy blocks inline style attributes.
      else if (k === 'style') Object.assign(el.style, v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const kid of kids || []) if (kid !== null && kid !== undefined) el.append(kid);
    return el;
  }
  const save = () => vscode.setState(ui);
  const post = (m) => vscode.postMessage(m);
  const pct = (n, of) => (of > 0 ? (100 * n) / of : 0);
  const fmt = (n) => n.toFixed(1);
  const base = (f) => (f ? f.slice(f.lastIndexOf('/') + 1) : '?');
  const where = (r) => (r.line ? `${base(r.file)}:${r.line}` : base(r.file));

  // Built once and kept: re-rendering them would steal the keyboard focus from the filter.
  const filterInput = /** @type {HTMLInputElement} */ (
    h('input', { type: 'search', placeholder: 'Filter functions and files', 'aria-label': 'Filter', value: ui.filter, oninput: () => { ui.filter = filterInput.value; save(); renderBody(); } })
  );
  const body = h('div', { class: 'body' });

  function button(label, command, opts) {
    return h('button', { class: 'btn' + (opts && opts.primary ? ' primary' : ''), title: opts && opts.title, disabled: opts && opts.disabled, 'data-command': command, onclick: () => post({ type: 'command', command }) }, [label]);
  }

  function renderHeader() {
    const state = snap ? snap.state : 'stopped';
    const p = snap && snap.profile;
    const live = snap && snap.title && !(p && /^loaded from/.test(p.method));
    const controls = h('div', { class: 'controls' }, [
      state === 'running' ? button('Pause', 'pause') : state === 'paused' ? button('Resume', 'resume', { primary: true }) : button(live ? 'Start again' : 'Start…', 'start', { primary: true, title: live ? 'Sample the same process again' : 'Pick a process to sample' }),
      button('Stop', 'stop', { disabled: state === 'stopped' }),
      h('label', { class: 'rate' }, [
        'Rate ',
        h(
          'select',
          { 'aria-label': 'Samples per second', onchange: (e) => post({ type: 'rate', rateHz: Number(e.target.value) }) },
          RATES.map((r) => h('option', { value: r, selected: snap && snap.rateHz === r }, [`${r} Hz`])),
        ),
      ]),
      button('Save', 'save', { disabled: !p || !p.samples, title: 'Save as speedscope JSON' }),
      button('Load…', 'load', { title: 'Load a speedscope JSON file' }),
    ]);
    const badge = h('span', { class: `badge ${state}` }, [state === 'running' ? '● sampling' : state === 'paused' ? '❚❚ paused' : '■ stopped']);
    const facts = p ? `${p.samples} samples · ${fmt(p.durationMs / 1000)} s · ${p.method}` : '';
    return h('header', {}, [h('div', { class: 'title' }, [badge, h('span', { class: 'what' }, [snap && snap.title ? snap.title : 'Nothing sampled yet'])]), facts ? h('div', { class: 'facts' }, [facts]) : null, controls]);
  }

  function renderThreads(p) {
    return h(
      'ul',
      { class: 'threads', 'aria-label': 'Threads' },
      p.threads.map((t) => {
        const at = t.at && t.at.localFile && t.at.line;
        return h('li', { class: `thread ${t.status}${at ? ' link' : ''}`, 'data-status': t.status, title: `${t.samples} samples`, onclick: at ? () => post({ type: 'open', file: t.at.localFile, line: t.at.line }) : undefined }, [
          h('span', { class: 'dot', 'aria-hidden': 'true' }, [t.status === 'stuck' ? '■' : t.status === 'busy' ? '▶' : '·']),
          h('span', { class: 'headline' }, [t.headline]),
        ]);
      }),
    );
  }

  function matches(r) {
    const q = ui.filter.trim().toLowerCase();
    return !q || r.function.toLowerCase().includes(q) || (r.file || '').toLowerCase().includes(q);
  }

  function renderTable(p, rows) {
    const sorted = rows.filter(matches).sort((a, b) => {
      const d = ui.sort === 'function' ? a.function.localeCompare(b.function) : a[ui.sort] - b[ui.sort] || a.total - b.total;
      return ui.desc ? -d : d;
    });
    const th = (key, label, cls) =>
      h('th', { class: cls, 'aria-sort': ui.sort === key ? (ui.desc ? 'descending' : 'ascending') : 'none', onclick: () => { ui.desc = ui.sort === key ? !ui.desc : key !== 'function'; ui.sort = key; save(); renderBody(); } }, [label + (ui.sort === key ? (ui.desc ? ' ▾' : ' ▴') : '')]);
    return h('table', { class: 'top' }, [
      h('thead', {}, [h('tr', {}, [th('own', '%Own', 'num'), th('total', '%Total', 'num'), th('function', 'Function (file:line)')])]),
      h(
        'tbody',
        {},
        sorted.slice(0, 200).map((r) => {
          const own = pct(r.own, p.samples);
          const open = r.localFile && r.line ? () => post({ type: 'open', file: r.localFile, line: r.line }) : undefined;
          return h('tr', { class: (r.isUserCode ? 'user' : 'lib') + (open ? ' link' : ''), title: r.localFile || `${r.file} (not in this workspace)`, onclick: open }, [
            h('td', { class: 'num' }, [h('span', { class: 'bar', style: { width: `${Math.min(100, own)}%` } }), h('span', { class: 'v' }, [fmt(own)])]),
            h('td', { class: 'num' }, [fmt(pct(r.total, p.samples))]),
            h('td', { class: 'fn' }, [h('span', { class: 'name' }, [r.function]), ' ', h('span', { class: 'loc' }, [where(r)])]),
          ]);
        }),
      ),
    ]);
  }

  /** The stacks as a tree, outermost first, one root per thread (or one thread). */
  function flameTree(p) {
    const root = { name: 'all', count: 0, kids: new Map() };
    const threadName = new Map(p.threads.map((t) => [t.id, t.name]));
    for (const s of p.stacks) {
      if (ui.thread !== 'all' && String(s.threadId) !== ui.thread) continue;
      root.count += s.count;
      let node = root;
      const path = ui.thread === 'all' ? [{ thread: s.threadId }, ...[...s.frames].reverse()] : [...s.frames].reverse();
      for (const step of path) {
        const key = typeof step === 'object' ? `t${step.thread}` : `f${step}`;
        let kid = node.kids.get(key);
        if (!kid) {
          const f = typeof step === 'number' ? p.frames[step] : undefined;
          kid = { name: f ? f.function : threadName.get(step.thread) || `Thread ${step.thread}`, frame: f, thread: !f, count: 0, kids: new Map() };
          node.kids.set(key, kid);
        }
        kid.count += s.count;
        node = kid;
      }
    }
    return root;
  }

  function renderFlame(p) {
    const tree = flameTree(p);
    const box = h('div', { class: 'flame', role: 'tree', 'aria-label': 'Flame graph' });
    let depthMax = 0;
    const cells = [];
    const walk = (node, depth, left) => {
      let x = left;
      const kids = [...node.kids.values()].sort((a, b) => b.count - a.count);
      for (const k of kids) {
        const w = pct(k.count, tree.count);
        if (w >= 0.3) {
          depthMax = Math.max(depthMax, depth);
          const f = k.frame;
          const kind = k.thread ? 'thread' : f.native ? 'native' : f.isUserCode ? 'user' : 'lib';
          const label = f ? `${k.name} (${where(f)})` : k.name;
          cells.push(
            h('div', { class: `cell ${kind}`, role: 'treeitem', style: { left: `${x}%`, width: `${w}%`, top: `${depth * 18}px` }, title: `${label} — ${k.count} samples (${fmt(w)} %)`, onclick: f && f.localFile && f.line ? () => post({ type: 'open', file: f.localFile, line: f.line }) : undefined }, [w > 3 ? label : '']),
          );
          walk(k, depth + 1, x);
        }
        x += w;
      }
    };
    walk(tree, 0, 0);
    box.style.height = `${(depthMax + 1) * 18}px`;
    box.append(...cells);
    const threads = h('select', { 'aria-label': 'Thread', onchange: (e) => { ui.thread = e.target.value; save(); renderBody(); } }, [
      h('option', { value: 'all', selected: ui.thread === 'all' }, ['All threads']),
      ...p.threads.map((t) => h('option', { value: String(t.id), selected: ui.thread === String(t.id) }, [t.name])),
    ]);
    return h('div', {}, [h('div', { class: 'flame-bar' }, [threads, h('span', { class: 'hint' }, ['Outermost call on top · click a frame to open it'])]), tree.count ? box : h('p', { class: 'empty' }, ['No samples for this thread.'])]);
  }

  function renderBody() {
    const p = snap && snap.profile;
    body.replaceChildren();
    if (!p || !p.samples) {
      body.append(h('p', { class: 'empty' }, [snap && snap.state === 'running' ? 'Waiting for the first samples…' : 'Right-click a Python process in the Processes view → Start Sampling, or load a saved session.']));
      return;
    }
    const tabs = h('div', { class: 'tabs', role: 'tablist' }, [
      ['lines', 'Lines'],
      ['functions', 'Functions'],
      ['flame', 'Flame graph'],
    ].map(([id, label]) => h('button', { role: 'tab', class: 'tab' + (ui.tab === id ? ' active' : ''), 'aria-selected': ui.tab === id ? 'true' : 'false', onclick: () => { ui.tab = id; save(); renderBody(); } }, [label])));
    body.append(tabs);
    if (ui.tab === 'flame') body.append(renderFlame(p));
    else {
      body.append(h('div', { class: 'filter' }, [filterInput]));
      body.append(renderTable(p, ui.tab === 'functions' ? p.functions : p.lines));
    }
  }

  function render() {
    const p = snap && snap.profile;
    const focused = document.activeElement === filterInput;
    const parts = [
      renderHeader(),
      snap && snap.error ? h('div', { class: 'error', role: 'alert' }, [snap.error]) : null,
      ...(p ? (p.notes || []).map((n) => h('div', { class: 'note' }, [n])) : []),
      p && p.threads.length ? renderThreads(p) : null,
      body,
    ];
    app.replaceChildren(...parts.filter((x) => x));
    renderBody();
    if (focused) filterInput.focus();
  }

  window.addEventListener('message', (e) => {
    if (e.data && e.data.type === 'update') {
      snap = e.data.snapshot;
      render();
    }
  });
  render();
  post({ type: 'ready' });
})();
