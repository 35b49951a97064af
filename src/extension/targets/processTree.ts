// The Processes view: target groups from the providers (Local, Docker engines, SSH hosts, …),
// nested groups under them, and each target's processes as a parent → children tree. Listing
// failures become a row that says why, never an empty view.
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import {
  buildProcessTree,
  describeProcess,
  describeProcessRow,
  describeState,
  formatElapsed,
  processLabel,
  processRowLabel,
  type ProcessNode as CoreProcessNode,
} from '../../core/format/processTree';
import type { ProcessInfo } from '../../core/model';
import { codeBlock, escapeMarkdown } from '../../core/text/markdown';
import { safeText } from '../../core/text/safeText';
import type { Target } from '../../core/targets/target';
import { logError } from '../log';
import { filterProcessForest } from './processFilter';
import { mergeRows, steadyRows, treeItemSignature, type RowLook } from './processRows';
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
  /** Another process listed on the same target has this name: the row's label then carries the pid. */
  namesake?: boolean;
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
  private readonly changed = new vscode.EventEmitter<ProcessTreeNode | ProcessTreeNode[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly optionsChanged = new vscode.EventEmitter<void>();
  /** The filter or the Python-only switch changed (the rows follow when the new listing is in). */
  readonly onDidChangeOptions = this.optionsChanged.event;
  private filterText = '';
  private pythonOnly: boolean;
  /** Aborted when what is listed changes (filter, Python-only, a refresh asked for) so slow listings of the old round stop. */
  private round = new AbortController();
  /**
   * The rows VS Code was last given: the top level, and each group's children by the group's row
   * id. A refresh merges new listings into them (see processRows.ts) and redraws only what changed,
   * and VS Code's own re-asks after a redraw are answered from here at once: a row whose parent
   * was not redrawn stays registered, and one whose parent was is unregistered only until the
   * workbench asks for the parent's rows again (one round trip), not for a whole listing.
   */
  private roots: ProcessTreeNode[] | undefined;
  private readonly shown = new Map<string, ProcessTreeNode[]>();
  /** Groups the user folded: not listed again until opened (an ssh host is not polled while closed). */
  private readonly folded = new Set<string>();
  private revalidating = false;
  private again = false;
  /**
   * Groups whose children VS Code is waiting for, and rows held back meanwhile: VS Code (1.100)
   * does not cancel a pending fetch when one row is refreshed, so redrawing a group while its
   * first listing runs (an ssh host going from "connecting…" to connected) made VS Code fetch its
   * children twice and register them twice ("Element with id … is already registered"); and the
   * workbench ignores a redraw that arrives while it is still showing that first listing.
   */
  private readonly fetching = new Set<string>();
  private readonly held = new Set<ProcessTreeNode>();
  /** The row ids of each open group's last listing (see steadyRows), and whether the next round shows its listing as is. */
  private readonly lastListed = new Map<string, Set<string>>();
  private asListed = false;
  /**
   * Rows redrawn while they had children on screen, by row id. Redrawing a row makes VS Code drop
   * its children until the workbench asks for them again, and the workbench does not ask when the
   * row's first fetch is still under way there (it joins that fetch): the rows then stayed
   * unregistered until the next change. Such a row is redrawn again until its children are asked for.
   */
  private readonly refetch = new Map<string, { row: ProcessTreeNode; tries: number; timer: ReturnType<typeof setTimeout> }>();
  private visible = true;
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

  /** The view folded or opened a row (TreeView.onDidCollapseElement / onDidExpandElement). */
  setExpanded(node: ProcessTreeNode, expanded: boolean): void {
    if (node.kind !== 'group') return;
    const id = groupRowId(node.group);
    if (expanded) {
      this.folded.delete(id);
      if (this.shown.has(id)) this.refresh();
    } else this.folded.add(id);
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
    this.optionsChanged.fire();
    this.restart();
  }

  setPythonOnly(value: boolean): void {
    if (value === this.pythonOnly) return;
    this.pythonOnly = value;
    this.optionsChanged.fire();
    this.restart();
  }

  /** Lists again and redraws what changed. Asked while a round runs, one more round follows it. */
  refresh(): void {
    if (this.revalidating) {
      this.again = true;
      return;
    }
    void this.revalidate();
  }

  /** Drops the round under way (its listings answer an old question) and lists again. */
  restart(): void {
    this.round.abort();
    this.round = new AbortController();
    // Asked for by the user (a refresh, a new filter): what the listing says, at once.
    this.asListed = true;
    this.refresh();
  }

  private async revalidate(): Promise<void> {
    this.revalidating = true;
    try {
      do {
        this.again = false;
        const asListed = this.asListed;
        this.asListed = false;
        await this.revalidateOnce(this.round.signal, asListed).catch((err) => logError('refreshing the Processes view failed', err));
      } while (this.again && !this.disposed);
    } finally {
      this.revalidating = false;
    }
  }

  private async revalidateOnce(signal: AbortSignal, asListed: boolean): Promise<void> {
    // Nothing shown yet: VS Code asks for the rows when it shows the view.
    if (!this.roots) return;
    // Rows held back while their group's first listing ran are redrawn now, a round later: the
    // workbench has shown those rows by then (a redraw while it still was would be lost, above).
    const ready = [...this.held].filter((r) => r.kind !== 'group' || !this.fetching.has(groupRowId(r.group)));
    for (const r of ready) this.held.delete(r);
    this.redraw(ready);
    const fresh = await this.topLevel(signal);
    if (signal.aborted || this.disposed) return;
    const changed = new Set<ProcessTreeNode>();
    const merged = mergeRows(this.roots, fresh, changed, (n) => this.look(n), adoptRow);
    this.roots = merged.rows;
    this.forgetUnreachable();
    if (merged.reshaped) this.changed.fire(undefined);
    else this.redraw(changed);
    await this.revalidateGroups(this.roots, signal, asListed);
  }

  /** Lists each open group again (in parallel; a slow host delays only its own rows). */
  private async revalidateGroups(rows: readonly ProcessTreeNode[], signal: AbortSignal, asListed: boolean): Promise<void> {
    await Promise.all(
      rows.map(async (row) => {
        if (row.kind !== 'group') return;
        const id = groupRowId(row.group);
        const known = this.shown.get(id);
        if (!known || this.folded.has(id)) return;
        const listed = await this.groupChildren(row, signal);
        if (signal.aborted || this.disposed || this.shown.get(id) !== known) return;
        const previous = this.lastListed.get(id);
        this.lastListed.set(id, this.idsOf(listed));
        const fresh = asListed || !previous ? listed : steadyRows(known, listed, previous, (n) => this.look(n).id);
        const changed = new Set<ProcessTreeNode>();
        const merged = mergeRows(known, fresh, changed, (n) => this.look(n), adoptRow);
        this.shown.set(id, merged.rows);
        if (merged.reshaped) changed.add(row);
        this.redraw(changed);
        await this.revalidateGroups(merged.rows, signal, asListed);
      }),
    );
  }

  /** Hands VS Code the rows to redraw, holding back groups whose children it is still fetching. */
  private redraw(rows: Iterable<ProcessTreeNode>): void {
    const now: ProcessTreeNode[] = [];
    for (const r of rows) {
      if (r.kind === 'group' && this.fetching.has(groupRowId(r.group))) this.held.add(r);
      else now.push(r);
    }
    if (!now.length) return;
    this.changed.fire(now);
    for (const r of now) this.expectRefetch(r, 0);
  }

  /** The view was shown or hidden (hidden, the workbench asks for nothing). */
  setVisible(visible: boolean): void {
    this.visible = visible;
  }

  private expectRefetch(row: ProcessTreeNode, tries: number): void {
    const hasChildren =
      row.kind === 'process'
        ? row.children.length > 0
        : row.kind === 'group' && this.shown.has(groupRowId(row.group)) && !this.folded.has(groupRowId(row.group));
    const id = this.look(row).id;
    clearTimeout(this.refetch.get(id)?.timer);
    this.refetch.delete(id);
    if (!hasChildren || tries >= REFETCH_TRIES) return;
    const timer = setTimeout(() => {
      if (this.refetch.get(id)?.timer !== timer || this.disposed) return;
      this.refetch.delete(id);
      if (!this.visible) return;
      this.changed.fire([row]);
      this.expectRefetch(row, tries + 1);
    }, REFETCH_MS);
    this.refetch.set(id, { row, tries, timer });
  }

  /** The workbench asked for a row's children: it has them registered again. */
  private refetched(node: ProcessTreeNode): void {
    const id = this.look(node).id;
    clearTimeout(this.refetch.get(id)?.timer);
    this.refetch.delete(id);
  }

  private idsOf(rows: readonly ProcessTreeNode[]): Set<string> {
    return new Set(rows.map((r) => this.look(r).id));
  }

  private look(node: ProcessTreeNode): RowLook {
    const item = this.getTreeItem(node);
    return { id: item.id ?? '', signature: treeItemSignature(item) };
  }

  /** Drops the remembered children of groups no longer in the view. */
  private forgetUnreachable(): void {
    const reachable = new Set<string>();
    const walk = (rows: readonly ProcessTreeNode[] | undefined) => {
      for (const r of rows ?? []) {
        if (r.kind !== 'group') continue;
        const id = groupRowId(r.group);
        reachable.add(id);
        walk(this.shown.get(id));
      }
    };
    walk(this.roots);
    for (const id of [...this.shown.keys()]) if (!reachable.has(id)) this.shown.delete(id);
    for (const id of [...this.lastListed.keys()]) if (!reachable.has(id)) this.lastListed.delete(id);
  }

  /** Runs `compute` until it finishes within one round (a restart mid-way makes its answer stale). */
  private async current<T>(compute: (signal: AbortSignal) => Promise<T>): Promise<T> {
    for (;;) {
      const signal = this.round.signal;
      const value = await compute(signal);
      if (!signal.aborted || this.disposed) return value;
    }
  }

  getTreeItem(node: ProcessTreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'group':
        return groupItem(node);
      case 'process':
        return processItem(node);
      case 'message': {
        // Messages quote errors, which quote names and tool output: neutralised like every row.
        const item = new vscode.TreeItem(safeText(node.text), vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        item.tooltip = safeText(node.tooltip ?? node.text);
        item.contextValue = 'message';
        return item;
      }
    }
  }

  async getChildren(node?: ProcessTreeNode): Promise<ProcessTreeNode[]> {
    // VS Code asks again after each refresh we fire: answer with the rows already merged, at once.
    if (!node) return (this.roots ??= await this.current((signal) => this.topLevel(signal)));
    if (node.kind === 'process') {
      this.refetched(node);
      return node.children;
    }
    if (node.kind !== 'group') return [];
    this.refetched(node);
    const id = groupRowId(node.group);
    this.folded.delete(id); // VS Code asks only for the children of an open group
    const known = this.shown.get(id);
    if (known) return known;
    this.fetching.add(id);
    try {
      const rows = await this.current((signal) => this.groupChildren(node, signal));
      this.shown.set(id, rows);
      this.lastListed.set(id, this.idsOf(rows));
      return rows;
    } finally {
      this.fetching.delete(id);
      // The held rows are redrawn by the next round; without auto-refresh, one comes anyway.
      if (this.held.size) setTimeout(() => !this.disposed && this.refresh(), HELD_REDRAW_MS);
    }
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
    if (g.hint !== undefined) return [{ kind: 'message', id: `${g.id}/hint`, text: g.hint, icon: 'lightbulb' }];
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
      return [
        { kind: 'message', id: `${g.id}/error:processes`, text: errorMessage(err), icon: 'error', tooltip: String(err instanceof Error ? err.message : err) },
      ];
    }
    this.loggedErrors.delete(`${g.id}/error:processes`);
    this.onListed?.(target.ref.id, new Set(list.map((p) => p.pid)), !this.pythonOnly);
    const forest = filterProcessForest(buildProcessTree(list), this.filterText);
    const named = new Map<string, number>();
    for (const p of list) named.set(p.name, (named.get(p.name) ?? 0) + 1);
    const wrap = (n: CoreProcessNode): ProcessNode => ({
      kind: 'process',
      groupId: g.id,
      target,
      process: n.process,
      path,
      children: n.children.map(wrap),
      namesake: (named.get(n.process.name) ?? 0) > 1,
    });
    return forest.map(wrap);
  }

  private logOnce(id: string, what: string, err: unknown): void {
    const text = errorMessage(err);
    if (this.loggedErrors.get(id) === text) return;
    this.loggedErrors.set(id, text);
    logError(what, err);
  }

  private disposed = false;

  dispose(): void {
    this.disposed = true;
    for (const r of this.refetch.values()) clearTimeout(r.timer);
    this.round.abort();
    this.subscription.dispose();
    this.changed.dispose();
    this.optionsChanged.dispose();
  }
}

function groupItem(node: GroupNode): vscode.TreeItem {
  const g = node.group;
  const expanded = g.expanded ?? node.depth === 0;
  // Container and host names come from the engine and ssh config: neutralised (Markdown tooltips are built safe by their providers).
  const item = new vscode.TreeItem(safeText(g.label), expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
  item.id = groupRowId(g);
  item.description = g.description !== undefined ? safeText(g.description) : undefined;
  item.tooltip = typeof g.tooltip === 'string' ? safeText(g.tooltip) : g.tooltip;
  item.iconPath = new vscode.ThemeIcon(g.icon ?? 'server');
  item.contextValue = g.contextValue ?? 'snagTarget';
  return item;
}

/** How long the workbench gets to ask for a redrawn row's children before the row is redrawn again, and how often. */
const REFETCH_MS = 1500;
const REFETCH_TRIES = 3;
/** When a row held back during its group's first listing is redrawn at the latest (the workbench shows that listing first). */
const HELD_REDRAW_MS = 1000;

function groupRowId(g: TargetGroup): string {
  return `group:${g.id}`;
}

/** A shown row takes a new listing's fields (same object: VS Code and open menus keep pointing at it). */
function adoptRow(
  shown: ProcessTreeNode,
  fresh: ProcessTreeNode,
  mergeChildren: (shownKids: ProcessTreeNode[], freshKids: ProcessTreeNode[]) => ProcessTreeNode[],
): void {
  if (shown.kind === 'process' && fresh.kind === 'process') Object.assign(shown, fresh, { children: mergeChildren(shown.children, fresh.children) });
  else Object.assign(shown, fresh);
}

const STOPPED = /^[Tt]/;

function processItem(node: ProcessNode): vscode.TreeItem {
  const p = node.process;
  // The name is the process's own (an RLO in it would reverse the row): neutralised, like every text below.
  const item = new vscode.TreeItem(
    processRowLabel(p, node.namesake),
    node.children.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
  );
  item.id = `process:${node.groupId}:${p.pid}`;
  // Laid out for the default side bar: a long name cut from the middle, the facts that tell a stuck
  // process apart first and short, the pid last (or in the label, for processes of the same name);
  // the words and the rest in the tooltip.
  item.description = describeProcessRow(p, node.namesake);
  item.contextValue = p.isPython ? 'pythonProcess' : 'process';
  item.iconPath = STOPPED.test(p.state)
    ? new vscode.ThemeIcon('debug-pause', new vscode.ThemeColor('errorForeground'))
    : new vscode.ThemeIcon(p.isPython ? 'symbol-method' : 'gear');
  item.tooltip = processTooltip(p);
  item.accessibilityInformation = { label: `${processLabel(p)}, ${describeProcess(p)}` };
  return item;
}

function processTooltip(p: ProcessInfo): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**${escapeMarkdown(p.name)}** — pid ${p.pid} (parent ${p.ppid}), ${escapeMarkdown(describeState(p.state, p.threads))}\n\n`);
  // codeBlock, not appendCodeblock: the command line neutralised, in a fence no backtick run in it can close.
  md.appendMarkdown(codeBlock([p.command], 'shell') + '\n\n');
  const facts = [
    `user ${p.user}`,
    `${p.cpuPercent.toFixed(1)}% CPU, started ${formatElapsed(p.elapsedSeconds)} ago`,
    `${p.threads} thread${p.threads === 1 ? '' : 's'}`,
    `${Math.round(p.rssKb / 1024)} MB resident`,
    p.exe ? `executable ${p.exe}` : '',
    p.hostPid !== undefined ? `host pid ${p.hostPid}` : '',
    p.isPython ? `Python: ${p.pythonReason ?? 'yes'}` : 'not recognised as Python',
  ].filter(Boolean);
  md.appendMarkdown(facts.map((f) => `- ${escapeMarkdown(f)}`).join('\n'));
  return md;
}
