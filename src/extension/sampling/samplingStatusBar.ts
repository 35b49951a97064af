// A status bar entry while a session is live: what is sampled, how many samples, the first
// stuck thread; a click stops it.
import * as vscode from 'vscode';
import { describeThread } from '../../core/format/profileText';
import { escapeMarkdown, iconFreeText } from '../../core/text/markdown';
import { Cmd } from '../commands/commandIds';
import type { SamplingController } from './samplingController';

export class SamplingStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('snag.sampling', vscode.StatusBarAlignment.Left, 50);
  private readonly subscription: vscode.Disposable;

  constructor(private readonly sampling: SamplingController) {
    this.item.name = vscode.l10n.t('Snag Sampling');
    this.subscription = sampling.onDidChange(() => this.update());
  }

  private update(): void {
    const state = this.sampling.state;
    const ref = this.sampling.process;
    if (state === 'stopped' || !ref) return this.item.hide();
    const p = this.sampling.profile();
    const stuck = p?.threads.find((t) => t.status === 'stuck');
    const samples = p?.samples ?? 0;
    const icon = state === 'running' ? '$(pulse)' : '$(debug-pause)';
    const what = state === 'running' ? vscode.l10n.t('Sampling pid {0}', ref.process.pid) : vscode.l10n.t('Sampling paused, pid {0}', ref.process.pid);
    const stuckText = stuck ? ` · ${vscode.l10n.t('{0} stuck {1} s', iconFreeText(stuck.name), stuck.sameStackSeconds ?? 0)}` : '';
    this.item.text = `${icon} ${what} · ${vscode.l10n.t('{0} samples', samples)}${stuckText}`;
    const tip = new vscode.MarkdownString();
    const title = state === 'running' ? vscode.l10n.t('Sampling') : vscode.l10n.t('Sampling paused');
    tip.appendMarkdown(`**${title}** ${escapeMarkdown(ref.process.name)} (pid ${ref.process.pid}) · ${samples} ${vscode.l10n.t('samples')}\n\n`);
    for (const t of p?.threads ?? []) tip.appendText(`${describeThread(t, p!.stuckAfterSeconds)}\n`);
    tip.appendMarkdown(`\n\n${vscode.l10n.t('Click to stop sampling.')}`);
    this.item.tooltip = tip;
    this.item.command = Cmd.StopSampling;
    this.item.backgroundColor = stuck ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
