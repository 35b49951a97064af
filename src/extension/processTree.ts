// The Processes view: target groups from the providers (Local, Docker engines, SSH hosts, …),
// nested groups under them, and each target's processes as a parent → children tree. Listing
// failures become a row that says why, never an empty view.
import * as vscode from 'vscode';
import { errorMessage } from '../core/errors';
import { buildProcessTree, describeProcess, describeState, type ProcessNode as CoreProcessNode } from '../core/format/processTree';
import type { ProcessInfo } from '../core/model';
import type { Target } from '../core/targets/target';
import { logError } from './log';
import { filterProcessForest } from './processFilter';
import type { ProcessRef, TargetGroup, TargetProviders } from './targetProviders';

export interface GroupNode {
  kind: 'group';
  group: TargetGroup;
  /** Labels of the groups above, outermost first. */
  path: readonly string[];
  depth: number;
}

export interface ProcessNode extends ProcessRef {
  kind: 'process';
  groupId: string;
  children: ProcessNode[];
}

export interface MessageNode {
  kind: 'message';
  id: string;
  text: string;
  icon: string;
  tooltip?: string;
}

export type ProcessTreeNode = GroupNode | ProcessNode | MessageNode;

export function isProcessNode(x: unknown): x is ProcessNode {
  return !!x && typeof x === 'object' && (x as { kind?: unknown }).kind === 'process';
}

export class ProcessTreeProvider implements vscode.TreeDataProvider<ProcessTreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ProcessTreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private filterText = '';
  private pythonOnly: boolean;
  /** Aborted on every refresh so slow listings of the previous round stop. */
  private round = new AbortController();
  private readonly subscription: vscode.Disposable;
  /** Last error logged per row id: auto-refresh must not repeat the same failure every few seconds. */
  private readonly loggedErrors = new Map<string, string>();

  constructor(
    private readonly providers: TargetProviders,
    pythonOnly: boolean,
    /** Every successful listing of a target (which processes it has now), before filtering. */
    private readonly onListed?: (targetId: string, pids: ReadonlySet<number>, all: boolean) => void,
  ) {
    this.pythonOnly = pythonOnly;
    this.subscription = providers.onDidChange(() => this.refresh());
  }

  get filter(): string {
    return this.filterText;
  }

  get showsPythonOnly(): boolean {
    return this.pythonOnly;
  }

  setFilter(text: string): void {
    if (text === this.filterText) return;
    this.filterText = text;
    this.refresh();
  }

  setPythonOnly(value: boolean): void {
    if (value === this.pythonOnly) return;
    this.pythonOnly = value;
    this.refresh();
  }

  refresh(): void {
    this.round.abort();
    this.round = new AbortController();
    this.changed.fire(undefined);
  }

  getTreeItem(node: ProcessTreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'group':
        return groupItem(node);
      case 'process':
        return processItem(node);
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        item.tooltip = node.tooltip ?? node.text;
        item.contextValue = 'message';
        return item;
      }
    }
  }

  async getChildren(node?: ProcessTreeNode): Promise<ProcessTreeNode[]> {
    const signal = this.round.signal;
    if (!node) return this.topLevel(signal);
    if (node.kind === 'process') return node.children;
    if (node.kind === 'group') return this.groupChildren(node, signal);
    return [];
  }

  private async topLevel(signal: AbortSignal): Promise<ProcessTreeNode[]> {
    const perProvider = await Promise.all(
      this.providers.all().map(async (p): Promise<ProcessTreeNode[]> => {
        try {
          return (await p.groups(signal)).map((group) => ({ kind: 'group', group, path: [], depth: 0 }));
        } catch (err) {
          this.logOnce(`error:${p.id}`, `listing ${p.id} targets failed`, err);
          return [{ kind: 'message', id: `error:${p.id}`, text: errorMessage(err), icon: 'error' }];
        }
      }),
    );
    return perProvider.flat();
  }

  private async groupChildren(node: GroupNode, signal: AbortSignal): Promise<ProcessTreeNode[]> {
    const g = node.group;
    const path = [...node.path, g.label];
    const nested = (async (): Promise<ProcessTreeNode[]> => {
      if (!g.children) return [];
      try {
        return (await g.children(signal)).map((group) => ({ kind: 'group', group, path, depth: node.depth + 1 }));
      } catch (err) {
        this.logOnce(`${g.id}/error:groups`, `listing ${path.join(' › ')} failed`, err);
        return [{ kind: 'message', id: `${g.id}/error:groups`, text: errorMessage(err), icon: 'error' }];
      }
    })();
    const procs = g.target ? this.processes(g, g.target, path, signal) : Promise.resolve([]);
    const out = [...(await nested), ...(await procs)];
    if (out.length === 0) {
      const text = this.filterText ? vscode.l10n.t('No processes match "{0}"', this.filterText) : (g.emptyMessage ?? vscode.l10n.t('Nothing here'));
      return [{ kind: 'message', id: `${g.id}/empty`, text, icon: 'info' }];
    }
    return out;
  }

  private async processes(g: TargetGroup, target: Target, path: string[], signal: AbortSignal): Promise<ProcessTreeNode[]> {
    let list: ProcessInfo[];
    try {
      list = await target.listProcesses({ all: !this.pythonOnly, signal });
    } catch (err) {
      if (signal.aborted) return [];
      this.logOnce(`${g.id}/error:processes`, `listing processes of ${path.join(' › ')} failed`, err);
      return [{ kind: 'message', id: `${g.id}/error:processes`, text: errorMessage(err), icon: 'error', tooltip: String(err instanceof Error ? err.message : err) }];
    }
    this.loggedErrors.delete(`${g.id}/error:processes`);
    this.onListed?.(target.ref.id, new Set(list.map((p) => p.pid)), !this.pythonOnly);
    const forest = filterProcessForest(buildProcessTree(list), this.filterText);
    const wrap = (n: CoreProcessNode): ProcessNode => ({ kind: 'process', groupId: g.id, target, process: n.process, path, children: n.children.map(wrap) });
    return forest.map(wrap);
  }

  private logOnce(id: string, what: string, err: unknown): void {
    const text = errorMessage(err);
    if (this.loggedErrors.get(id) === text) return;
    this.loggedErrors.set(id, text);
    logError(what, err);
  }

  dispose(): void {
    this.round.abort();
    this.subscription.dispose();
    this.changed.dispose();
  }
}

function groupItem(node: GroupNode): vscode.TreeItem {
  const g = node.group;
  const expanded = g.expanded ?? node.depth === 0;
  const item = new vscode.TreeItem(g.label, expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `group:${g.id}`;
  item.description = g.description;
  item.tooltip = g.tooltip;
  item.iconPath = new vscode.ThemeIcon(g.icon ?? 'server');
  item.contextValue = g.contextValue ?? 'snagTarget';
  return item;
}

const STOPPED = /^[Tt]/;

function processItem(node: ProcessNode): vscode.TreeItem {
  const p = node.process;
  const item = new vscode.TreeItem(p.name, node.children.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
  item.id = `process:${node.groupId}:${p.pid}`;
  item.description = describeProcess(p);
  item.contextValue = p.isPython ? 'pythonProcess' : 'process';
  item.iconPath = STOPPED.test(p.state)
    ? new vscode.ThemeIcon('debug-pause', new vscode.ThemeColor('errorForeground'))
    : new vscode.ThemeIcon(p.isPython ? 'symbol-method' : 'gear');
  item.tooltip = processTooltip(p);
  item.accessibilityInformation = { label: `${p.name}, ${describeProcess(p)}` };
  return item;
}

function processTooltip(p: ProcessInfo): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**${escape(p.name)}** — pid ${p.pid} (parent ${p.ppid}), ${escape(describeState(p.state))}\n\n`);
  md.appendCodeblock(p.command, 'shell');
  const facts = [
    `user ${p.user}`,
    `${p.threads} thread${p.threads === 1 ? '' : 's'}`,
    `${Math.round(p.rssKb / 1024)} MB resident`,
    p.exe ? `executable ${p.exe}` : '',
    p.hostPid !== undefined ? `host pid ${p.hostPid}` : '',
    p.isPython ? `Python: ${p.pythonReason ?? 'yes'}` : 'not recognised as Python',
  ].filter(Boolean);
  md.appendMarkdown(facts.map((f) => `- ${escape(f)}`).join('\n'));
  return md;
}

function escape(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!<>|~]/g, (c) => `\\${c}`);
}
