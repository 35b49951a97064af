// "Paste Dump": the dump on the clipboard (what someone copied from a terminal on the stuck
// machine), or, when the clipboard is empty, the selection or text of the active editor.
import * as vscode from 'vscode';
import { openAndShow } from '../dumps/openedDumps';
import type { Services } from '../services';

export function pasteDump(s: Services): () => Promise<void> {
  return async () => {
    let text = await vscode.env.clipboard.readText();
    let name = vscode.l10n.t('pasted text');
    if (!text.trim()) {
      const editor = vscode.window.activeTextEditor;
      const selected = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : editor?.document.getText();
      if (editor && selected?.trim()) {
        text = selected;
        name = editor.document.uri.path.slice(editor.document.uri.path.lastIndexOf('/') + 1);
      }
    }
    if (!text.trim()) {
      void vscode.window.showInformationMessage(
        vscode.l10n.t(
          'The clipboard is empty. Copy a dump (py-spy dump, gdb py-bt or bt, faulthandler output, a traceback, or a saved Snag JSON) and run Paste Dump again.',
        ),
      );
      return;
    }
    await openAndShow(s, { kind: 'text', text }, name, 'paste');
  };
}
