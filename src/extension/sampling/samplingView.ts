// The Sampling view: a webview in the Snag container (HTML/JS/CSS in media/, theme colours,
// strict Content-Security-Policy). The host pushes snapshots of the live profile; the page sends
// back what the user clicked (start/pause/stop, rate, open a frame, save, load).
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import { describeThread } from '../../core/format/profileText';
import { logError } from '../log';
import { Cmd, ViewId } from '../commandIds';
import { revealLine } from '../commands/openFrame';
import { sampledDocumentOf } from '../remoteDocuments';
import type { SamplingController, SamplingSnapshot } from './samplingController';

/** Rows sent to the page per table; the flame graph gets the stacks that cover the most samples. */
const MAX_ROWS = 300;
const MAX_STACKS = 4000;

type FromPage =
  | { type: 'ready' }
  | { type: 'open'; file: string; line: number }
  | { type: 'rate'; rateHz: number }
  | { type: 'command'; command: 'start' | 'pause' | 'resume' | 'stop' | 'save' | 'load' };

export class SamplingViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view?: vscode.WebviewView;
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
    view.webview.options = { enableScripts: true, localResourceRoots: [media] };
    view.webview.html = this.html(view.webview, media);
    // The workbench resolves the view again each time it is reopened: these go with this one.
    const listeners = [view.webview.onDidReceiveMessage((m: FromPage) => this.onMessage(m)), view.onDidChangeVisibility(() => view.visible && this.post())];
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

  private async onMessage(m: FromPage): Promise<void> {
    try {
      await this.handle(m);
    } catch (err) {
      logError('the Sampling view failed', err);
      void vscode.window.showErrorMessage(errorMessage(err));
    }
  }

  private async handle(m: FromPage): Promise<void> {
    if (m.type === 'ready') return this.post();
    if (m.type === 'open') {
      if (m.file && m.line > 0) await revealLine({ file: m.file, line: m.line });
      return;
    }
    if (m.type === 'rate') return this.sampling.setRate(m.rateHz);
    // "Start again" after a stop samples the same process; with none yet, Start picks one.
    const again = this.sampling.process;
    if (m.command === 'start' && again) return void (await vscode.commands.executeCommand(Cmd.StartSampling, again));
    const command = { start: Cmd.StartSampling, pause: Cmd.PauseSampling, resume: Cmd.ResumeSampling, stop: Cmd.StopSampling, save: Cmd.SaveSampling, load: Cmd.LoadSampling }[m.command];
    if (command) await vscode.commands.executeCommand(command);
  }

  private post(): void {
    if (!this.view?.visible) return;
    void this.view.webview.postMessage({ type: 'update', snapshot: pageSnapshot(this.sampling.snapshot()) });
  }

  private html(webview: vscode.Webview, media: vscode.Uri): string {
    const nonce = randomBytes(16).toString('base64');
    const css = webview.asWebviewUri(vscode.Uri.joinPath(media, 'sampling.css'));
    const js = webview.asWebviewUri(vscode.Uri.joinPath(media, 'sampling.js'));
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

/** What the page needs, trimmed for the message channel. */
export function pageSnapshot(s: SamplingSnapshot) {
  const p = s.profile;
  if (!p) return { state: s.state, title: s.title, rateHz: s.rateHz, error: s.error };
  const stacks = [...p.stacks].sort((a, b) => b.count - a.count).slice(0, MAX_STACKS);
  // `open`: what a click opens (a local file, or the read-only document of a file on an ssh host).
  const documentOf = sampledDocumentOf(s.target);
  const withOpen = <T extends { file: string; line: number; localFile?: string; isUserCode: boolean }>(x: T) => ({ ...x, open: documentOf(x) });
  return {
    state: s.state,
    title: s.title ?? p.label,
    rateHz: s.rateHz,
    error: s.error,
    profile: {
      pid: p.pid,
      method: p.method,
      rateHz: p.rateHz,
      durationMs: p.durationMs,
      samples: p.samples,
      notes: p.notes ?? [],
      findings: (p.findings ?? []).map((f) => ({ severity: f.severity, kind: f.kind, title: f.title, detail: f.detail, threadId: f.threadId, open: f.frame?.localFile, line: f.frame?.line })),
      threads: p.threads.map((t) => ({ ...t, headline: describeThread(t, p.stuckAfterSeconds), open: t.at ? documentOf({ ...t.at, isUserCode: t.at.isUserCode ?? false }) : undefined })),
      lines: p.lines.slice(0, MAX_ROWS).map(withOpen),
      functions: p.functions.slice(0, MAX_ROWS).map(withOpen),
      frames: p.frames.map(withOpen),
      stacks,
    },
  };
}

