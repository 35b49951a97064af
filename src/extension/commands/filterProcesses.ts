// A text filter for the Processes view, applied live while typing; Escape restores the old one.
import * as vscode from 'vscode';
import type { Services } from '../services';

const DEBOUNCE_MS = 150;

export function filterProcesses(s: Services): () => void {
  return () => {
    const before = s.processTree.filter;
    const box = vscode.window.createInputBox();
    box.title = vscode.l10n.t('Filter Processes');
    box.prompt = vscode.l10n.t('Words that must all appear in the name, pid, user or command line. Empty shows everything.');
    box.value = before;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let accepted = false;
    box.onDidChangeValue((v) => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => s.processTree.setFilter(v.trim()), DEBOUNCE_MS);
    });
    box.onDidAccept(() => {
      accepted = true;
      if (timer) clearTimeout(timer);
      s.processTree.setFilter(box.value.trim());
      box.hide();
    });
    box.onDidHide(() => {
      if (timer) clearTimeout(timer);
      if (!accepted) s.processTree.setFilter(before);
      box.dispose();
    });
    box.show();
  };
}
