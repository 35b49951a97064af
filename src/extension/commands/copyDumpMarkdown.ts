import * as vscode from 'vscode';
import { dumpToMarkdown } from '../../core/format/dumpText';
import { safeText } from '../../core/text/safeText';
import type { Services } from '../services';
import { entryFor } from './selectedEntry';

export function copyDumpMarkdown(s: Services): (node?: unknown) => Promise<void> {
  return async (node?: unknown) => {
    const entry = entryFor(s, node);
    if (!entry) return;
    await vscode.env.clipboard.writeText(dumpToMarkdown(entry.dump));
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Copied the dump of {0} (pid {1}) as Markdown, ready for a bug report.', safeText(entry.processName), entry.dump.pid),
    );
  };
}
