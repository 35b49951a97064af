// "Still in the same place?": compares the selected dump with the one before it of the same
// process. With only one dump, offers to take another now.
import * as vscode from 'vscode';
import { compareDumps, comparisonToMarkdown } from '../../core/format/compareDumps';
import { safeText } from '../../core/text/safeText';
import type { Services } from '../services';
import { dumpAndShow } from './dumpStacks';

export function compareLastDumps(s: Services): () => Promise<void> {
  return async () => {
    let pair = s.history.lastTwo();
    const selected = s.history.selected;
    if (!pair) {
      if (!selected) {
        void vscode.window.showInformationMessage(vscode.l10n.t('No dump yet: dump a process twice to see whether it is still in the same place.'));
        return;
      }
      const again = vscode.l10n.t('Dump Again');
      const answer = selected.source
        ? await vscode.window.showInformationMessage(
            vscode.l10n.t('Only one dump of {0} (pid {1}). Dump it again now and compare?', safeText(selected.processName), selected.dump.pid),
            again,
          )
        : undefined;
      if (answer !== again || !selected.source) return;
      await dumpAndShow(s, selected.source, selected.options);
      pair = s.history.lastTwo(selected.key);
      if (!pair) return;
    }
    const [newer, older] = pair;
    const c = compareDumps(older.dump, newer.dump);
    await s.reports.show(`compare-pid-${newer.dump.pid}.md`, comparisonToMarkdown(c));
    void vscode.window.showInformationMessage(`${safeText(newer.processName)} (pid ${newer.dump.pid}): ${c.summary}`);
  };
}
