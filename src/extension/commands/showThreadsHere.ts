// "Show Threads on This Line", from the gutter's context menu on a marked line (right-click the
// gutter icon or the line number): VS Code shows no hover for an extension's gutter icon, so this
// puts the cursor on the line's first character and opens the line's hover, the threads that stand
// there with their stacks. VS Code passes the menu's line and document as `{ lineNumber, uri }`.
import * as vscode from 'vscode';
import type { Services } from '../services';

interface GutterLine {
  lineNumber: number;
  uri: vscode.Uri;
}

function isGutterLine(x: unknown): x is GutterLine {
  return !!x && typeof x === 'object' && typeof (x as GutterLine).lineNumber === 'number' && (x as GutterLine).uri instanceof vscode.Uri;
}

export function showThreadsHere(s: Services): (arg?: unknown) => Promise<void> {
  return async (arg?: unknown) => {
    const active = vscode.window.activeTextEditor;
    const uri = isGutterLine(arg) ? arg.uri : active?.document.uri;
    if (!uri) return;
    const lineNumber = isGutterLine(arg) ? arg.lineNumber : (active?.selection.active.line ?? 0) + 1;
    if (!s.decorations.marksFor(uri).some((m) => m.line === lineNumber)) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No thread of the shown dump stands on line {0}.', lineNumber));
      return;
    }
    const shown = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
    const editor = shown ? await vscode.window.showTextDocument(shown.document, { viewColumn: shown.viewColumn }) : await vscode.window.showTextDocument(uri);
    const line = editor.document.lineAt(lineNumber - 1);
    const at = new vscode.Position(line.lineNumber, line.firstNonWhitespaceCharacterIndex);
    editor.selection = new vscode.Selection(at, at);
    editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    await vscode.commands.executeCommand('editor.action.showHover');
  };
}
