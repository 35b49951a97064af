// Markers for where the shown dump's asyncio tasks wait: the lines of their await chains get the
// same gutter icons as thread frames (the line where a group waits stands out), a dimmed after-text
// counting the tasks, and a hover listing each group with its chain as links. It follows the
// thread markers (StackDecorations): same dump, cleared with them; a line a thread marks keeps the
// thread's marker.
import * as vscode from 'vscode';
import { taskAfterText, taskHoverMarkdown, taskMarksByFile, type TaskLineMark } from '../../core/format/taskMarks';
import type { StackDump } from '../../core/model';
import { Cmd } from '../commands/commandIds';
import type { StackDecorations } from './decorations';
import { inEditorTerms } from './editorTerms';
import { createMarkerTypes } from './markerTypes';
import { documentKey, frameDocumentOf } from './remoteDocuments';

const THROTTLE_MS = 60;

export class TaskDecorations implements vscode.Disposable {
  private readonly hereType: vscode.TextEditorDecorationType;
  private readonly frameType: vscode.TextEditorDecorationType;
  private dump?: StackDump;
  private marks = new Map<string, TaskLineMark[]>();
  private timer?: ReturnType<typeof setTimeout>;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly threads: StackDecorations,
    extensionUri: vscode.Uri,
  ) {
    ({ here: this.hereType, frame: this.frameType } = createMarkerTypes(extensionUri));
    this.disposables.push(
      threads.onDidChange(() => this.follow()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.schedule()),
      vscode.workspace.onDidOpenTextDocument(() => this.schedule()),
    );
    this.follow();
  }

  /** Task marks for one document (none when the markers are cleared or the dump has no tasks). */
  marksFor(uri: vscode.Uri): readonly TaskLineMark[] {
    const key = documentKey(uri);
    return key ? (this.marks.get(key) ?? []) : [];
  }

  private follow(): void {
    const dump = this.threads.shownDump;
    this.dump = dump;
    this.marks = dump?.asyncio ? taskMarksByFile(dump.asyncio, frameDocumentOf(dump.target)) : new Map();
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      for (const editor of vscode.window.visibleTextEditors) this.apply(editor);
    }, THROTTLE_MS);
  }

  private apply(editor: vscode.TextEditor): void {
    const here: vscode.DecorationOptions[] = [];
    const frames: vscode.DecorationOptions[] = [];
    const doc = editor.document;
    const tasks = this.dump?.asyncio;
    const threadLines = new Set(this.threads.marksFor(doc.uri).map((m) => m.line));
    for (const mark of tasks ? this.marksFor(doc.uri) : []) {
      if (mark.line > doc.lineCount || threadLines.has(mark.line)) continue;
      const hover = new vscode.MarkdownString(
        inEditorTerms(taskHoverMarkdown(tasks!, mark, { openCommand: Cmd.OpenFrame, documentOf: frameDocumentOf(this.dump!.target) })),
      );
      hover.isTrusted = { enabledCommands: [Cmd.OpenFrame] };
      const exited = this.threads.shownProcessExited ? ` · ${vscode.l10n.t('process exited')}` : '';
      (mark.innermost ? here : frames).push({
        range: doc.lineAt(mark.line - 1).range,
        hoverMessage: hover,
        renderOptions: { after: { contentText: taskAfterText(mark) + exited } },
      });
    }
    editor.setDecorations(this.hereType, here);
    editor.setDecorations(this.frameType, frames);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
    this.hereType.dispose();
    this.frameType.dispose();
  }
}
