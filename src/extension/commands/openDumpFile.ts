// "Open Dump…": a saved or recorded dump (snag dump --json, py-spy, gdb, faulthandler, a
// traceback) from a file, shown like a live dump. Takes a Uri argument to skip the dialog.
import * as vscode from 'vscode';
import { openAndShow } from '../dumps/openedDumps';
import type { Services } from '../services';

export function openDumpFile(s: Services): (uri?: unknown) => Promise<void> {
  return async (uri?: unknown) => {
    const picked =
      uri instanceof vscode.Uri
        ? uri
        : (
            await vscode.window.showOpenDialog({
              title: vscode.l10n.t('Open Dump'),
              openLabel: vscode.l10n.t('Open Dump'),
              canSelectMany: false,
              defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
              filters: { [vscode.l10n.t('Dumps, tracebacks, gdb output')]: ['txt', 'json', 'log', 'out'], [vscode.l10n.t('All files')]: ['*'] },
            })
          )?.[0];
    if (!picked) return;
    const name = picked.path.slice(picked.path.lastIndexOf('/') + 1);
    // A local file streams from disk; another file system's (a remote workspace) is read through VS Code.
    const input =
      picked.scheme === 'file'
        ? ({ kind: 'file', path: picked.fsPath } as const)
        : ({ kind: 'text', text: new TextDecoder().decode(await vscode.workspace.fs.readFile(picked)) } as const);
    await openAndShow(s, input, name, 'file');
  };
}
