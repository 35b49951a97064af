// Saves a dump in the documented JSON contract (the same as `snag dump --json`).
import * as vscode from 'vscode';
import { dumpToJson } from '../../core/format/dumpText';
import type { Services } from '../services';
import { entryFor } from './selectedEntry';

export function dumpFileName(processName: string, pid: number, takenAt: string): string {
  const safe = processName.replace(/[^\w.-]+/g, '_').replace(/\.py$/, '');
  return `snag-${safe}-${pid}-${takenAt.replace(/[:.]/g, '-')}.json`;
}

export function saveDumpJson(s: Services): (node?: unknown) => Promise<void> {
  return async (node?: unknown) => {
    const entry = entryFor(s, node);
    if (!entry) return;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = dumpFileName(entry.processName, entry.dump.pid, entry.dump.takenAt);
    const uri = await vscode.window.showSaveDialog({
      title: vscode.l10n.t('Save Dump as JSON'),
      defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
      filters: { JSON: ['json'] },
    });
    if (!uri) return;
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(JSON.stringify(dumpToJson(entry.dump), null, 2) + '\n'));
    void vscode.window.showInformationMessage(vscode.l10n.t('Saved {0}', vscode.workspace.asRelativePath(uri)));
  };
}
