// The Sampling view's page: renders snapshots the extension posts (threads, a top-like table,
// a flame graph) and posts back what the user clicks. No framework and no network: the
// Content-Security-Policy allows this script and the stylesheet only.
// Each snapshot is drawn into a fresh detached tree that is then patched onto the live one, so
// the elements under the pointer and the keyboard focus survive the updates (a click, a hover
// tooltip or the filter being typed in is not lost every second).
// @ts-check
(function () {
  // @ts-ignore acquireVsCodeApi is provided by the webview host
  const vscode = acquireVsCodeApi();
  const RATES = [1, 5, 10, 25, 50, 100];
  const ui = Object.assign({ tab: 'lines', sort: 'own', desc: true, filter: '', thread: 'all' }, vscode.getState() || {});
  /** @type {any} */
  let snap;
  const app = /** @type {HTMLElement} */ (document.getElementById('app'));
  const EVENTS = ['click', 'input', 'change'];
  /** Handlers live on the elements as data, found by one delegated listener per event type. */
  const handlers = new WeakMap();

  /** @param {string} tag @param {Record<string, any>} [attrs] @param {(Node|string|null|undefined)[]} [kids] */
  function h(tag, attrs, kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on')) handlers.set(el, Object.assign(handlers.get(el) || {}, { [k.slice(2)]: v }));
      else if (k === 'class') el.className = v;
      // Through the CSSOM: the Content-Security-Policy blocks inline style attributes.
      else if (k === 'style') Object.assign(el.style, v);
      else if (k === 'key') el.dataset.key = String(v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const kid of kids || []) if (kid !== null && kid !== undefined) el.append(kid);
    // A select shows the option marked selected; the patch carries it over as the value.
    if (el instanceof HTMLSelectElement) el.dataset.value = el.value;
    return el;
  }

  for (const type of EVENTS) {
    document.addEventListener(type, (e) => {
      for (let el = /** @type {any} */ (e.target); el && el !== document; el = el.parentNode) {
        const on = handlers.get(el);
        if (on && on[type]) return on[type](e);
      }
    });
  }

  /** Makes `live` look like `fresh`, keeping every element that can stay. */
  function patch(live, fresh) {
    if (live.nodeType === Node.TEXT_NODE) {
      if (live.nodeValue !== fresh.nodeValue) live.nodeValue = fresh.nodeValue;
      return;
    }
    for (const { name } of [...live.attributes]) if (!fresh.hasAttribute(name) && name !== 'style') live.removeAttribute(name);
    for (const { name, value } of [...fresh.attributes]) if (name !== 'style' && live.getAttribute(name) !== value) live.setAttribute(name, value);
    for (const name of [...live.style]) if (!fresh.style.getPropertyValue(name)) live.style.removeProperty(name);
    for (const name of [...fresh.style]) if (live.style.getPropertyValue(name) !== fresh.style.getPropertyValue(name)) live.style.setProperty(name, fresh.style.getPropertyValue(name));
    handlers.set(live, handlers.get(fresh));
    patchChildren(live, fresh);
    if (live instanceof HTMLSelectElement && live.value !== fresh.dataset.value) live.value = fresh.dataset.value || '';
  }

  const sameKind = (a, b) => a.nodeType === b.nodeType && a.nodeName === b.nodeName && (a.dataset && a.dataset.key) === (b.dataset && b.dataset.key);

  /** Children matched by data-key where they have one, by position otherwise. */
  function patchChildren(live, fresh) {
    const keyed = new Map();
    for (const c of live.childNodes) if (c.dataset && c.dataset.key) keyed.set(c.nodeName + c.dataset.key, c);
    const wanted = [...fresh.childNodes];
    let at = 0;
    for (const f of wanted) {
      const key = f.dataset && f.dataset.key;
      let l = key ? keyed.get(f.nodeName + key) : live.childNodes[at];
      if (l && !key && !sameKind(l, f)) l = undefined;
      if (l) {
        patch(l, f);
        if (live.childNodes[at] !== l) live.insertBefore(l, live.childNodes[at] || null);
      } else live.insertBefore(f, live.childNodes[at] || null);
      at++;
    }
    while (live.childNodes.length > at) live.lastChild.remove();
  }

  const save = () => vscode.setState(ui);
  const post = (m) => vscode.postMessage(m);
  const pct = (n, of) => (of > 0 ? (100 * n) / of : 0);
  const fmt = (n) => n.toFixed(1);
  const base = (f) => (f ? f.slice(f.lastIndexOf('/') + 1) : '?');
  const where = (r) => (r.line ? `${base(r.file)}:${r.line}` : base(r.file));
  /** A change of the page's own state (tab, sort, filter): saved, and drawn at once. */
  const change = (fields) => { Object.assign(ui, fields); save(); render(); };

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
    const facts = p ? `${p.samples} thread-samples · ${fmt(p.durationMs / 1000)} s · ${p.method}` : '';
    return h('header', {}, [h('div', { class: 'title' }, [badge, h('span', { class: 'what' }, [snap && snap.title ? snap.title : 'Nothing sampled yet'])]), facts ? h('div', { class: 'facts' }, [facts]) : null, controls]);
  }

  function renderThreads(p) {
    return h(
      'ul',
      { class: 'threads', 'aria-label': 'Threads', 'aria-live': 'polite' },
      p.threads.map((t) => {
        const at = t.open && t.at && t.at.line;
        return h('li', { key: t.id, class: `thread ${t.status}${at ? ' link' : ''}`, 'data-status': t.status, title: `${t.samples} samples`, onclick: at ? () => post({ type: 'open', file: t.open, line: t.at.line }) : undefined }, [
          h('span', { class: 'dot', 'aria-hidden': 'true' }, [t.status === 'stuck' ? '■' : t.status === 'busy' ? '▶' : '·']),
          h('span', { class: 'headline' }, [t.headline]),
        ]);
      }),
    );
  }

  /** What the rules looking across threads found (a deadlock, a blocked event loop). */
  function renderFindings(p) {
    return h(
      'ul',
      { class: 'findings', 'aria-label': 'Findings' },
      p.findings.map((f) =>
        h('li', { key: `${f.kind}|${f.threadId}|${f.title}`, class: `finding sev-${f.severity}${f.open ? ' link' : ''}`, title: f.detail || f.title, onclick: f.open && f.line ? () => post({ type: 'open', file: f.open, line: f.line }) : undefined }, [
          h('span', { class: 'dot', 'aria-hidden': 'true' }, [f.severity === 'error' ? '⛔' : f.severity === 'warning' ? '⚠' : 'ℹ']),
          h('span', { class: 'headline' }, [f.title]),
        ]),
      ),
    );
  }

  function matches(r) {
    const q = ui.filter.trim().toLowerCase();
    return !q || r.function.toLowerCase().includes(q) || (r.file || '').toLowerCase().includes(q);
  }

  /**
   * One thread's lines or functions, counted from its stacks, as shares of its own samples: with
   * all threads, an idle helper would halve every share of the thread the user is looking at.
   */
  function threadRows(p, threadId, byFunction) {
    const rows = new Map();
    let samples = 0;
    for (const s of p.stacks) {
      if (String(s.threadId) !== threadId) continue;
      samples += s.count;
      const seen = new Set();
      s.frames.forEach((fi, depth) => {
        const f = p.frames[fi];
        const key = byFunction ? `${f.function}\0${f.file}` : fi;
        let r = rows.get(key);
        if (!r) rows.set(key, (r = { function: f.function, file: f.file, line: f.line, open: f.open, localFile: f.localFile, isUserCode: f.isUserCode, own: 0, total: 0 }));
        if (depth === 0) r.own += s.count;
        if (!seen.has(key)) {
          seen.add(key);
          r.total += s.count;
        }
      });
    }
    return { rows: [...rows.values()], samples };
  }

  /** Picks all threads or one, for the table and the flame graph alike. */
  function threadPicker(p) {
    return h('select', { 'aria-label': 'Thread', onchange: (e) => change({ thread: e.target.value }) }, [
      h('option', { value: 'all', selected: ui.thread === 'all' }, ['All threads']),
      ...p.threads.map((t) => h('option', { value: String(t.id), selected: ui.thread === String(t.id) }, [t.name])),
    ]);
  }

  function renderTable(rows, samples) {
    const sorted = rows.filter(matches).sort((a, b) => {
      const d = ui.sort === 'function' ? a.function.localeCompare(b.function) : a[ui.sort] - b[ui.sort] || a.total - b.total;
      return ui.desc ? -d : d;
    });
    const th = (key, label, cls) =>
      h('th', { class: cls, 'aria-sort': ui.sort === key ? (ui.desc ? 'descending' : 'ascending') : 'none', onclick: () => change({ desc: ui.sort === key ? !ui.desc : key !== 'function', sort: key }) }, [label + (ui.sort === key ? (ui.desc ? ' ▾' : ' ▴') : '')]);
    return h('table', { class: 'top' }, [
      h('thead', {}, [h('tr', {}, [th('own', '%Own', 'num'), th('total', '%Total', 'num'), th('function', ui.tab === 'functions' ? 'Function (file)' : 'Function (file:line)')])]),
      h(
        'tbody',
        {},
        sorted.slice(0, 200).map((r) => {
          const own = pct(r.own, samples);
          const open = r.open && r.line ? () => post({ type: 'open', file: r.open, line: r.line }) : undefined;
          return h('tr', { key: `${r.function}|${r.file}|${r.line}`, class: (r.isUserCode ? 'user' : 'lib') + (open ? ' link' : ''), title: r.localFile || (r.open ? `${r.file} (read-only from the host)` : `${r.file} (not in this workspace)`), onclick: open }, [
            h('td', { class: 'num' }, [h('span', { class: 'bar', style: { width: `${Math.min(100, own)}%` } }), h('span', { class: 'v' }, [fmt(own)])]),
            h('td', { class: 'num' }, [fmt(pct(r.total, samples))]),
            h('td', { class: 'fn' }, [h('span', { class: 'name' }, [r.function]), ' ', h('span', { class: 'loc' }, [ui.tab === 'functions' ? base(r.file) : where(r)])]),
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
    const walk = (node, depth, left, path) => {
      let x = left;
      const kids = [...node.kids.entries()].sort((a, b) => b[1].count - a[1].count);
      for (const [id, k] of kids) {
        const w = pct(k.count, tree.count);
        if (w >= 0.3) {
          depthMax = Math.max(depthMax, depth);
          const f = k.frame;
          const kind = k.thread ? 'thread' : f.native ? 'native' : f.isUserCode ? 'user' : 'lib';
          const label = f ? `${k.name} (${where(f)})` : k.name;
          cells.push(
            h('div', { key: `${path}/${id}`, class: `cell ${kind}`, role: 'treeitem', style: { left: `${x}%`, width: `${w}%`, top: `${depth * 18}px` }, title: `${label} — ${k.count} samples (${fmt(w)} %)`, onclick: f && f.open && f.line ? () => post({ type: 'open', file: f.open, line: f.line }) : undefined }, [w > 3 ? label : '']),
          );
          walk(k, depth + 1, x, `${path}/${id}`);
        }
        x += w;
      }
    };
    walk(tree, 0, 0, '');
    box.style.height = `${(depthMax + 1) * 18}px`;
    box.append(...cells);
    return h('div', {}, [h('div', { class: 'flame-bar' }, [threadPicker(p), h('span', { class: 'hint' }, ['Outermost call on top · click a frame to open it'])]), tree.count ? box : h('p', { class: 'empty' }, ['No samples for this thread.'])]);
  }

  function renderBody() {
    const p = snap && snap.profile;
    if (!p || !p.samples) {
      return h('p', { class: 'empty' }, [snap && snap.state === 'running' ? 'Waiting for the first samples…' : 'Right-click a Python process in the Processes view → Start Sampling, or load a saved session.']);
    }
    const tabs = h('div', { class: 'tabs', role: 'tablist' }, [
      ['lines', 'Lines'],
      ['functions', 'Functions'],
      ['flame', 'Flame graph'],
    ].map(([id, label]) => h('button', { role: 'tab', class: 'tab' + (ui.tab === id ? ' active' : ''), 'aria-selected': ui.tab === id ? 'true' : 'false', onclick: () => change({ tab: id }) }, [label])));
    // A thread picked in an earlier session is not in this one: show them all.
    if (ui.thread !== 'all' && !p.threads.some((t) => String(t.id) === ui.thread)) {
      ui.thread = 'all';
      save();
    }
    if (ui.tab === 'flame') return h('div', { class: 'body' }, [tabs, renderFlame(p)]);
    const filter = h('input', { type: 'search', placeholder: 'Filter functions and files', 'aria-label': 'Filter', value: ui.filter, oninput: (e) => change({ filter: e.target.value }) });
    const byFunction = ui.tab === 'functions';
    const { rows, samples } = ui.thread === 'all' ? { rows: byFunction ? p.functions : p.lines, samples: p.samples } : threadRows(p, ui.thread, byFunction);
    const hint = ui.thread === 'all' ? 'shares of all threads’ samples' : 'shares of this thread’s samples';
    return h('div', { class: 'body' }, [tabs, h('div', { class: 'filter' }, [threadPicker(p), filter, h('span', { class: 'hint' }, [hint])]), renderTable(rows, samples)]);
  }

  function render() {
    const p = snap && snap.profile;
    const parts = [
      renderHeader(),
      snap && snap.error ? h('div', { class: 'error', role: 'alert' }, [snap.error]) : null,
      ...(p ? (p.notes || []).map((n) => h('div', { class: 'note' }, [n])) : []),
      p && p.findings && p.findings.length ? renderFindings(p) : null,
      p && p.threads.length ? renderThreads(p) : null,
      renderBody(),
    ];
    patchChildren(app, h('div', {}, parts));
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
