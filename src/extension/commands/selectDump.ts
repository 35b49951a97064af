// Shows an earlier dump: the Stacks view and the decorations follow the pick.
import * as vscode from 'vscode';
import { iconFreeText } from '../../core/text/markdown';
import type { DumpEntry } from '../dumps/dumpHistory';
import type { Services } from '../services';

export function selectDump(s: Services): () => Promise<void> {
  return async () => {
    const entries = s.history.all();
    if (entries.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No dump yet: dump a process first.'));
      return;
    }
    type Item = vscode.QuickPickItem & { entry: DumpEntry };
    const items: Item[] = entries.map((entry) => ({
      entry,
      // Names are the target's: neutralised, and no `$(icon)` of their own.
      label: `${entry === s.history.selected ? '$(check) ' : ''}${iconFreeText(entry.processName)}${entry.dump.pid ? ` · pid ${entry.dump.pid}` : ''}`,
      description: `${new Date(entry.dump.takenAt).toLocaleTimeString()} · ${iconFreeText(entry.where)} · ${entry.dump.backend}`,
      detail: entry.dump.findings[0] ? iconFreeText(entry.dump.findings[0].title) : undefined,
    }));
    const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Show Earlier Dump'), matchOnDescription: true, matchOnDetail: true });
    if (picked) s.history.select(picked.entry);
  };
}
