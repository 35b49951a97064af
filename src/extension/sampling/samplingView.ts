// The Sampling view: a webview in the Snag container (the page is src/webview/sampling, bundled
// into dist/webview/; its stylesheet is media/sampling.css; theme colours, strict
// Content-Security-Policy). The host pushes the view model of the live profile (protocol.ts); the
// page sends back what the user clicked (start/pause/stop, rate, a thread, open a frame, save, load).
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import { safeText } from '../../core/text/safeText';
import { logError } from '../log';
import { Cmd, ViewId } from '../commands/commandIds';
import { revealLine } from '../commands/openFrame';
import { frameDocumentOf } from '../dumps/remoteDocuments';
import { samplingPageModel } from './pageModel';
import type { HostMessage, PageMessage, ThreadChoice } from './protocol';
import type { SamplingController } from './samplingController';

export class SamplingViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view?: vscode.WebviewView;
  /** The thread the page shows the tables and the flame graph for. */
  private thread: ThreadChoice = 'all';
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly sampling: SamplingController,
  ) {
    this.disposables.push(sampling.onDidChange(() => this.post()));
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    const script = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    view.webview.options = { enableScripts: true, localResourceRoots: [media, script] };
    view.webview.html = this.html(view.webview, vscode.Uri.joinPath(media, 'sampling.css'), vscode.Uri.joinPath(script, 'sampling.js'));
    // The workbench resolves the view again each time it is reopened: these go with this one.
    const listeners = [view.webview.onDidReceiveMessage((m: PageMessage) => this.onMessage(m)), view.onDidChangeVisibility(() => view.visible && this.post())];
    listeners.push(
      view.onDidDispose(() => {
        if (this.view === view) this.view = undefined;
        for (const l of listeners) l.dispose();
      }),
    );
  }

  /** Shows the view (sampling started from the tree or the palette). */
  async reveal(): Promise<void> {
    if (this.view) this.view.show(true);
    else await vscode.commands.executeCommand(`${ViewId.Sampling}.focus`);
  }

  private async onMessage(m: PageMessage): Promise<void> {
    try {
      await this.handle(m);
    } catch (err) {
      logError('the Sampling view failed', err);
      void vscode.window.showErrorMessage(safeText(errorMessage(err)));
    }
  }

  private async handle(m: PageMessage): Promise<void> {
    if (m.type === 'ready' || m.type === 'thread') {
      this.thread = Number.isInteger(m.thread) ? m.thread : 'all';
      return this.post();
    }
    if (m.type === 'open') {
      if (m.file && m.line > 0) await revealLine({ file: m.file, line: m.line });
      return;
    }
    if (m.type === 'rate') return this.sampling.setRate(m.rateHz);
    // "Start again" after a stop samples the same process; with none yet, Start picks one.
    const again = this.sampling.process;
    if (m.command === 'start' && again) return void (await vscode.commands.executeCommand(Cmd.StartSampling, again));
    const command = {
      start: Cmd.StartSampling,
      pause: Cmd.PauseSampling,
      resume: Cmd.ResumeSampling,
      stop: Cmd.StopSampling,
      save: Cmd.SaveSampling,
      load: Cmd.LoadSampling,
    }[m.command];
    if (command) await vscode.commands.executeCommand(command);
  }

  private post(): void {
    if (!this.view?.visible) return;
    const snapshot = this.sampling.snapshot();
    const model = samplingPageModel({
      snapshot,
      thread: this.thread,
      startAgain: this.sampling.process !== undefined,
      documentOf: frameDocumentOf(snapshot.target),
    });
    const message: HostMessage = { type: 'update', model };
    void this.view.webview.postMessage(message);
  }

  private html(webview: vscode.Webview, stylesheet: vscode.Uri, script: vscode.Uri): string {
    const nonce = randomBytes(16).toString('base64');
    const css = webview.asWebviewUri(stylesheet);
    const js = webview.asWebviewUri(script);
    const csp = `default-src 'none'; style-src ${webview.cspSource}; script-src 'nonce-${nonce}'; img-src ${webview.cspSource} data:; font-src ${webview.cspSource};`;
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${css}">
<title>Sampling</title>
</head>
<body>
<div id="app"></div>
<script nonce="${nonce}" src="${js}"></script>
</body>
</html>`;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
