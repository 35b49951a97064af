// The Processes and Stacks views and what keeps them current: the Python-only setting, the
// filter shown as the view's message, auto-refresh only while the Processes view is visible,
// and the selected dump in the Stacks view's description and the `snag.hasDump` context key.
import * as vscode from 'vscode';
import { safeText } from '../core/text/safeText';
import { ViewId } from './commands/commandIds';
import { processKey, type DumpHistory } from './dumps/dumpHistory';
import { registerFrameDimming } from './dumps/frameDimming';
import type { ProcessTreeNode, ProcessTreeProvider } from './targets/processTree';
import { affectsSnag, readSettings } from './settings';
import type { StackNode, StackTreeProvider } from './dumps/stackTree';
import { markWalkthroughStep } from './walkthroughProgress';

export interface Trees {
  processView: vscode.TreeView<ProcessTreeNode>;
  stackView: vscode.TreeView<StackNode>;
  disposables: vscode.Disposable[];
}

export function registerTrees(processTree: ProcessTreeProvider, stackTree: StackTreeProvider, history: DumpHistory): Trees {
  const processView = vscode.window.createTreeView(ViewId.Processes, { treeDataProvider: processTree, showCollapseAll: true });
  const stackView = vscode.window.createTreeView(ViewId.Stacks, { treeDataProvider: stackTree, showCollapseAll: true });
  const disposables: vscode.Disposable[] = [processView, stackView, registerFrameDimming()];
  processTree.setVisible(processView.visible);
  // The walkthrough's first step: the user has the Processes view in front of them.
  if (processView.visible) markWalkthroughStep('found');

  const describeProcesses = () => {
    processView.description = processTree.showsPythonOnly ? vscode.l10n.t('Python only') : vscode.l10n.t('all processes');
    processView.message = processTree.filter
      ? vscode.l10n.t('Filtered by "{0}" — run Filter Processes again to change or clear it.', processTree.filter)
      : undefined;
  };
  describeProcesses();
  disposables.push(processTree.onDidChangeOptions(describeProcesses));

  // Auto-refresh: a timer that runs only while the view can be seen.
  let timer: ReturnType<typeof setInterval> | undefined;
  const schedule = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
    const seconds = readSettings().refreshIntervalSeconds;
    if (seconds > 0 && processView.visible) timer = setInterval(() => processTree.refresh(), seconds * 1000);
  };
  schedule();
  disposables.push(
    processView.onDidChangeVisibility((e) => {
      if (e.visible) markWalkthroughStep('found');
      processTree.setVisible(e.visible);
      schedule();
      // Hidden, it was not refreshed: bring the rows up to date when it is seen again.
      if (e.visible) processTree.refresh();
    }),
    // Folded groups are not listed again until opened (no polling of a closed ssh host).
    processView.onDidCollapseElement((e) => processTree.setExpanded(e.element, false)),
    processView.onDidExpandElement((e) => processTree.setExpanded(e.element, true)),
    { dispose: () => timer && clearInterval(timer) },
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!affectsSnag(e)) return;
      const s = readSettings();
      if (affectsSnag(e, 'processes.refreshIntervalSeconds')) schedule();
      if (affectsSnag(e, 'processes.pythonOnly')) processTree.setPythonOnly(s.pythonOnly);
      if (affectsSnag(e, 'history.size')) history.resize(s.historySize);
    }),
  );

  // Selecting a process that was dumped before shows its latest dump.
  disposables.push(
    processView.onDidChangeSelection((e) => {
      const node = e.selection[0];
      if (node?.kind !== 'process') return;
      markWalkthroughStep('found');
      const latest = history.forProcess(processKey(node.target.ref.id, node.process.pid))[0];
      if (latest) history.select(latest);
    }),
  );

  const describeStacks = () => {
    const entry = history.selected;
    stackView.description = entry
      ? `${safeText(entry.processName)}${entry.dump.pid ? ` · pid ${entry.dump.pid}` : ''}${history.hasExited(entry.key) ? ` · ${vscode.l10n.t('exited')}` : ''}`
      : undefined;
    void vscode.commands.executeCommand('setContext', 'snag.hasDump', !!entry);
  };
  describeStacks();
  const unsubscribe = history.onDidChange(describeStacks);
  disposables.push({ dispose: unsubscribe });
  return { processView, stackView, disposables };
}
