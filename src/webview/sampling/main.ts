// The Sampling view's page (bundled by esbuild.mjs into dist/webview/sampling.js): draws the view
// models the host posts and posts back what the user clicks. No framework and no network: the
// Content-Security-Policy allows this script and the stylesheet only.
import type { HostMessage, PageMessage, SamplingModel } from '../../extension/sampling/protocol';
import { renderPage } from './page';
import { restoreState, threadChoice, type Actions, type PageState } from './pageState';
import { listen, patchChildren } from './patch';

interface VsCodeApi {
  postMessage(m: PageMessage): void;
  getState(): unknown;
  setState(s: PageState): void;
}

/** Provided by the webview host, once per page. */
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const ui = restoreState(vscode.getState());
const app = document.getElementById('app')!;
let model: SamplingModel | undefined;

const actions: Actions = {
  post: (m) => vscode.postMessage(m),
  change(fields) {
    const thread = fields.thread !== undefined && fields.thread !== ui.thread;
    Object.assign(ui, fields);
    vscode.setState(ui);
    // The tables and the flame graph of a thread come from the host.
    if (thread) actions.post({ type: 'thread', thread: threadChoice(ui.thread) });
    render();
  },
};

function render(): void {
  patchChildren(app, renderPage(model, ui, actions));
}

listen(document);
window.addEventListener('message', (e: MessageEvent<HostMessage>) => {
  if (e.data?.type !== 'update') return;
  model = e.data.model;
  const p = model.profile;
  // A thread picked in an earlier session is not in this one: show them all.
  if (ui.thread !== 'all' && p?.samples && !p.threads.some((t) => String(t.id) === ui.thread)) actions.change({ thread: 'all' });
  else render();
});
render();
actions.post({ type: 'ready', thread: threadChoice(ui.thread) });
