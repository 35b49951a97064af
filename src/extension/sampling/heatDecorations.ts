// Heat on the source lines while a sampling session is live: a background tint scaled by the
// line's own share of the samples and an after-text with its shares. The decoration types are
// made once and only their ranges change, so live updates do not flicker; stopping clears them.
import * as vscode from 'vscode';
import { HEAT_LEVELS, heatByFile, type HeatMark } from '../../core/format/heat';
import { codeSpan } from '../../core/text/markdown';
import { documentKey, frameDocumentOf } from '../dumps/remoteDocuments';
import type { SamplingController } from './samplingController';

export class HeatDecorations implements vscode.Disposable {
  /** Index 0: caller lines (text only); 1..5: tinted levels. */
  private readonly types: vscode.TextEditorDecorationType[];
  private marks = new Map<string, HeatMark[]>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly sampling: SamplingController) {
    const after = { margin: '0 0 0 2em', fontStyle: 'italic' };
    this.types = [
      vscode.window.createTextEditorDecorationType({ after: { ...after, color: new vscode.ThemeColor('snag.heatCallerForeground') } }),
      ...HEAT_LEVELS.map((_, i) =>
        vscode.window.createTextEditorDecorationType({
          isWholeLine: true,
          backgroundColor: new vscode.ThemeColor(`snag.heat${i + 1}Background`),
          overviewRulerColor: i >= 2 ? new vscode.ThemeColor('snag.heatOverviewRulerForeground') : undefined,
          overviewRulerLane: vscode.OverviewRulerLane.Center,
          after: { ...after, color: new vscode.ThemeColor('snag.heatForeground') },
        }),
      ),
    ];
    this.disposables.push(
      sampling.onDidChange(() => this.update()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.applyAll()),
    );
  }

  /** Heat marks shown in a file now (for tests and the hover). */
  marksFor(uri: vscode.Uri): readonly HeatMark[] {
    const key = documentKey(uri);
    return key ? (this.marks.get(key) ?? []) : [];
  }

  private update(): void {
    const live = this.sampling.state !== 'stopped' && this.sampling.process;
    const profile = live ? this.sampling.profile() : undefined;
    this.marks = profile && profile.samples > 0 ? heatByFile(profile, frameDocumentOf(this.sampling.process?.target.ref)) : new Map();
    this.applyAll();
  }

  private applyAll(): void {
    for (const editor of vscode.window.visibleTextEditors) this.apply(editor);
  }

  private apply(editor: vscode.TextEditor): void {
    const doc = editor.document;
    const byType: vscode.DecorationOptions[][] = this.types.map(() => []);
    const samples = this.sampling.profile()?.samples ?? 0;
    for (const m of this.marksFor(doc.uri)) {
      if (m.line > doc.lineCount) continue;
      const hover = new vscode.MarkdownString(
        // The function's name is the target's: a code span that no backtick in it can end, neutralised.
        vscode.l10n.t(
          '**Sampling** · {0} — {1} % of samples stopped on this line, {2} % had it on the stack ({3} of {4} samples).',
          codeSpan(m.stat.function),
          m.ownPercent.toFixed(1),
          m.totalPercent.toFixed(1),
          m.stat.own,
          samples,
        ),
      );
      if (m.waiting) hover.appendMarkdown(' ' + vscode.l10n.t('None of them on the CPU: wall-clock shares of a waiting thread.'));
      byType[m.level]!.push({ range: doc.lineAt(m.line - 1).range, hoverMessage: hover, renderOptions: { after: { contentText: m.text } } });
    }
    this.types.forEach((t, i) => editor.setDecorations(t, byType[i]!));
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    for (const t of this.types) t.dispose();
  }
}
