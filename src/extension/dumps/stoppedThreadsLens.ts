// "N threads stopped in this file" above the first line of every file the selected dump marks;
// clicking it jumps to the innermost marked line.
import * as vscode from 'vscode';
import { threadsInFile } from '../../core/format/frameMarks';
import { iconFreeText } from '../../core/text/markdown';
import { safeText } from '../../core/text/safeText';
import { Cmd } from '../commands/commandIds';
import type { StackDecorations } from './decorations';
import { documentKey } from './remoteDocuments';

export class StoppedThreadsLens implements vscode.CodeLensProvider {
  readonly onDidChangeCodeLenses: vscode.Event<void>;

  constructor(private readonly decorations: StackDecorations) {
    this.onDidChangeCodeLenses = decorations.onDidChange;
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const marks = this.decorations.marksFor(document.uri);
    const dump = this.decorations.shownDump;
    if (!marks.length || !dump) return [];
    const threads = threadsInFile(marks);
    // A CodeLens title renders $(icon) syntax: thread names are neutralised and their `$(` escaped.
    const name = (i: number) => iconFreeText(threads[i]!.name);
    const target = marks.find((m) => m.innermost) ?? marks[0]!;
    const title = this.decorations.shownProcessExited
      ? threads.length === 1
        ? vscode.l10n.t('⏹ 1 thread was stopped in this file ({0}, pid {1}, which has exited since)', name(0), dump.pid)
        : vscode.l10n.t('⏹ {0} threads were stopped in this file (pid {1}, which has exited since)', threads.length, dump.pid)
      : threads.length === 1
        ? vscode.l10n.t('⏸ 1 thread stopped in this file ({0}, pid {1})', name(0), dump.pid)
        : vscode.l10n.t('⏸ {0} threads stopped in this file (pid {1})', threads.length, dump.pid);
    return [
      new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), {
        title,
        tooltip: threads.map((t) => safeText(t.name)).join(', '),
        command: Cmd.OpenFrame,
        arguments: [{ file: documentKey(document.uri)!, line: target.line }],
      }),
    ];
  }
}
