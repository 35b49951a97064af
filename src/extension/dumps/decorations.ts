// Markers on the hanging lines: every visible editor showing a file of the selected dump gets a
// gutter icon and a dimmed after-text on each frame's line; each thread's innermost frame stands
// out (line highlight, its own icon and colour). The hover lists the threads there with their
// whole stacks as links. The two decoration types are created once; updates are coalesced.
// VS Code gives an extension's gutter icon no hover of its own (only the line's text has it), so
// the gutter's context menu offers "Show Threads on This Line" on a marked line: the context key
// MARKED_LINES_KEY holds the active editor's marked lines for the menu's `when`.
import * as vscode from 'vscode';
import { samePlaceSeconds } from '../../core/format/compareDumps';
import { afterText, marksByFile, type DocumentOf, type LineMark } from '../../core/format/frameMarks';
import { hoverMarkdown } from '../../core/format/stackHover';
import type { StackDump } from '../../core/model';
import { Cmd } from '../commands/commandIds';
import type { DumpHistory } from './dumpHistory';
import { inEditorTerms } from './editorTerms';
import { createMarkerTypes } from './markerTypes';
import { documentKey, frameDocumentOf } from './remoteDocuments';

/**
 * Where a frame's line can be shown: its local file, else (ssh hosts) the read-only remote document.
 * Keys are what documentKey gives for the document's URI.
 */
function documentOf(dump: StackDump): DocumentOf {
  return frameDocumentOf(dump.target);
}

/** The active editor's marked line numbers (1-based): `editorLineNumber in snag.markedLines`. */
export const MARKED_LINES_KEY = 'snag.markedLines';

/** Updates within this window are applied once (dumps, editor switches, scrolling through tabs). */
const THROTTLE_MS = 60;

export class StackDecorations implements vscode.Disposable {
  private readonly hereType: vscode.TextEditorDecorationType;
  private readonly frameType: vscode.TextEditorDecorationType;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the marks change (new selection, cleared): the CodeLens follows. */
  readonly onDidChange = this.changed.event;
  private dump?: StackDump;
  private marks = new Map<string, LineMark[]>();
  private waited = new Map<number, number>();
  private hidden = false;
  /** The selected dump's process has exited since: the markers say so. */
  private exited = false;
  private timer?: ReturnType<typeof setTimeout>;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly history: DumpHistory,
    extensionUri: vscode.Uri,
  ) {
    ({ here: this.hereType, frame: this.frameType } = createMarkerTypes(extensionUri));
    const unsubscribe = history.onDidChange(() => this.follow());
    this.disposables.push(
      { dispose: unsubscribe },
      vscode.window.onDidChangeVisibleTextEditors(() => this.schedule()),
      vscode.window.onDidChangeActiveTextEditor(() => this.schedule()),
      // Reloaded or reopened documents get new editors; a changed line count may move marks out of range.
      vscode.workspace.onDidOpenTextDocument(() => this.schedule()),
    );
    this.follow();
  }

  /** Marks for one document (a local file or a read-only remote one), or none when cleared. */
  marksFor(uri: vscode.Uri): readonly LineMark[] {
    const key = documentKey(uri);
    return this.hidden || !key ? [] : (this.marks.get(key) ?? []);
  }

  get shownDump(): StackDump | undefined {
    return this.hidden ? undefined : this.dump;
  }

  /** Whether the shown dump's process has exited since it was taken. */
  get shownProcessExited(): boolean {
    return this.exited;
  }

  /** Hides the markers until the next dump (or another dump is selected). */
  clear(): void {
    this.hidden = true;
    this.applyNow();
    this.changed.fire();
  }

  private follow(): void {
    const entry = this.history.selected;
    const dump = entry?.dump;
    const exited = !!entry && this.history.hasExited(entry.key);
    if (dump === this.dump && !this.hidden && exited === this.exited) return;
    this.exited = exited;
    this.dump = dump;
    this.hidden = false;
    this.marks = dump ? marksByFile(dump, documentOf(dump)) : new Map();
    this.waited = samePlaceSeconds(this.history.lineage(entry));
    this.schedule();
    this.changed.fire();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.applyNow();
    }, THROTTLE_MS);
  }

  private applyNow(): void {
    for (const editor of vscode.window.visibleTextEditors) this.apply(editor);
    const active = vscode.window.activeTextEditor;
    const lines = active ? this.marksFor(active.document.uri).map((m) => m.line) : [];
    const key = lines.join(',');
    if (key !== this.markedLinesKey) {
      this.markedLinesKey = key;
      void vscode.commands.executeCommand('setContext', MARKED_LINES_KEY, lines);
    }
  }

  /** The lines last put in MARKED_LINES_KEY, so the context is set only when they change. */
  private markedLinesKey?: string;

  private apply(editor: vscode.TextEditor): void {
    const here: vscode.DecorationOptions[] = [];
    const frames: vscode.DecorationOptions[] = [];
    const doc = editor.document;
    const dump = this.dump;
    for (const mark of this.marksFor(doc.uri)) {
      if (!dump || mark.line > doc.lineCount) continue;
      const hover = new vscode.MarkdownString(
        inEditorTerms(hoverMarkdown(dump, mark, { openCommand: Cmd.OpenFrame, waited: this.waited, documentOf: documentOf(dump) })),
      );
      hover.isTrusted = { enabledCommands: [Cmd.OpenFrame] };
      const option: vscode.DecorationOptions = {
        range: doc.lineAt(mark.line - 1).range,
        hoverMessage: hover,
        renderOptions: { after: { contentText: afterText(mark, this.waited) + (this.exited ? ` · ${vscode.l10n.t('process exited')}` : '') } },
      };
      (mark.innermost ? here : frames).push(option);
    }
    editor.setDecorations(this.hereType, here);
    editor.setDecorations(this.frameType, frames);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
    this.hereType.dispose();
    this.frameType.dispose();
    this.changed.dispose();
  }
}
