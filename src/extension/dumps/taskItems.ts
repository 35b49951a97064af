// How the Tasks rows of the Stacks view look (taskNodes.ts builds them). Task names, coroutine
// names and paths come from the target: every label, description and tooltip is neutralised.
import * as vscode from 'vscode';
import { tasksHeadline } from '../../core/asyncio/taskText';
import { count, creationFrame, groupTitle, waitPhrase } from '../../core/asyncio/taskGroups';
import { someNames } from '../../core/stacks/threadGroups';
import { safeText } from '../../core/text/safeText';
import { tasksSummary, type TaskTreeNode } from './taskNodes';

const { None, Collapsed, Expanded } = vscode.TreeItemCollapsibleState;

export function taskItem(n: TaskTreeNode): vscode.TreeItem {
  const item = itemFor(n);
  item.id = n.id;
  return item;
}

function itemFor(n: TaskTreeNode): vscode.TreeItem {
  switch (n.kind) {
    case 'tasks': {
      const t = n.tasks;
      const item = new vscode.TreeItem(vscode.l10n.t('asyncio tasks'), n.children.length ? Expanded : None);
      item.description = safeText(tasksSummary(t));
      item.tooltip = [tasksHeadline(t), ...(t.notes ?? [])].map(safeText).join('\n');
      item.iconPath = new vscode.ThemeIcon('symbol-event');
      item.contextValue = 'asyncioTasks';
      return item;
    }
    case 'taskGroup': {
      const g = n.group;
      const item = new vscode.TreeItem(safeText(groupTitle(g)), n.children.length ? (n.expanded ? Expanded : Collapsed) : None);
      item.description = safeText(n.awaits ?? '');
      item.tooltip = safeText(
        [
          groupTitle(g),
          n.awaits ?? '',
          g.tasks.length > 1
            ? `tasks: ${someNames(
                g.tasks.map((t) => t.name),
                30,
              )}`
            : '',
        ]
          .filter(Boolean)
          .join('\n'),
      );
      const orphan = g.tasks.some((t) => t.awaits?.orphan);
      item.iconPath = new vscode.ThemeIcon(
        g.what === 'running' ? 'pulse' : orphan ? 'warning' : g.tasks.length > 1 ? 'layers' : 'debug-pause',
        orphan ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined,
      );
      item.contextValue = 'taskGroup';
      return item;
    }
    case 'taskMembers': {
      const names = n.group.tasks.map((t) => t.name);
      const item = new vscode.TreeItem(vscode.l10n.t('{0} tasks', count(names.length)), Collapsed);
      item.description = safeText(someNames(names, 3));
      item.tooltip = safeText(someNames(names, 30));
      item.iconPath = new vscode.ThemeIcon('list-unordered');
      item.contextValue = 'taskGroupMembers';
      return item;
    }
    case 'task': {
      const t = n.task;
      const item = new vscode.TreeItem(safeText(t.name), n.children.length ? Collapsed : None);
      const what = t.current ? 'running' : t.awaits?.what;
      item.description = safeText(
        [what === 'running' ? 'running' : waitPhrase(what), t.eager ? 'eager' : '', t.type ?? '', `id ${t.id}`].filter(Boolean).join(' · '),
      );
      item.tooltip = safeText(`task ${t.name} (${t.id})${t.type ? `, a ${t.type}` : ''}${t.loop ? `, on loop ${t.loop}` : ''}`);
      item.iconPath = new vscode.ThemeIcon(t.current ? 'pulse' : 'debug-pause');
      item.contextValue = 'task';
      return item;
    }
    case 'taskCreated': {
      const item = new vscode.TreeItem(vscode.l10n.t('created at'), Collapsed);
      // The frame the group's "created by" names (creationSite), so the row and the title agree.
      const f = creationFrame(n.frames);
      item.description = f ? safeText(`${f.function} (${f.file.slice(f.file.replace(/\\/g, '/').lastIndexOf('/') + 1)}:${f.line})`) : undefined;
      item.tooltip = vscode.l10n.t('Where the tasks were created (asyncio debug mode), innermost first');
      item.iconPath = new vscode.ThemeIcon('debug-start');
      item.contextValue = 'taskCreated';
      return item;
    }
  }
}
