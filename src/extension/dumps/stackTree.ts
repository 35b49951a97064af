// The Stacks view: the selected dump — its findings first, then a row saying how it was taken,
// then threads → frames (innermost first); three or more threads waiting in one place are one group
// row (its threads folded inside, their stack shown once). The frame each thread is stopped at in the user's code
// is marked "◀ here"; library runs fold into "N library frames"; clicking a frame opens it.
import * as vscode from 'vscode';
import { frameLocation } from '../../core/format/dumpText';
import { groupFrames } from '../../core/format/frameGroups';
import { GROUP_STACKS_DIFFER, groupLabel, groupThreads, someNames, type ThreadGroup } from '../../core/stacks/threadGroups';
import { stoppedFrame } from '../../core/format/frameMarks';
import { opensRemotely } from '../../core/mapping/opensRemotely';
import type { Frame, LocalVariable, ThreadStack } from '../../core/model';
import { Cmd } from '../commands/commandIds';
import type { DumpEntry, DumpHistory } from './dumpHistory';
import { dimmedUri } from './frameDimming';
import type { FrameLink } from '../../core/format/stackHover';
import { codeBlock, escapeMarkdown } from '../../core/text/markdown';
import { safeText } from '../../core/text/safeText';
import { findingItem, findingNode, type FindingLineNode, type FindingNode } from './findingRows';
import { taskItem } from './taskItems';
import { taskNodes, type TaskTreeNode } from './taskNodes';

interface Base {
  id: string;
  parent?: StackNode;
}
export interface DumpNode extends Base {
  kind: 'dump';
  entry: DumpEntry;
  children: StackNode[];
}
export interface NoteNode extends Base {
  kind: 'note';
  text: string;
}
export interface ThreadNode extends Base {
  kind: 'thread';
  thread: ThreadStack;
  children: StackNode[];
  expanded: boolean;
}
export interface FrameNode extends Base {
  kind: 'frame';
  frame: Frame;
  thread: ThreadStack;
  here: boolean;
  children: StackNode[];
}
export interface LibraryNode extends Base {
  kind: 'library';
  children: FrameNode[];
}
export interface LocalNode extends Base {
  kind: 'local';
  local: LocalVariable;
}
/** Threads waiting alike in one place (format/threadGroups): the threads, then their stack once. */
export interface GroupNode extends Base {
  kind: 'group';
  group: ThreadGroup;
  children: StackNode[];
}
/** The threads of a group, folded: one row each, with its own frames. */
export interface MembersNode extends Base {
  kind: 'members';
  group: ThreadGroup;
  children: ThreadNode[];
}
export type { FindingLineNode, FindingNode };
export type StackNode =
  FindingNode | FindingLineNode | DumpNode | NoteNode | ThreadNode | FrameNode | LibraryNode | LocalNode | GroupNode | MembersNode | TaskTreeNode;

export function isFrameNode(x: unknown): x is FrameNode {
  return !!x && typeof x === 'object' && (x as { kind?: unknown }).kind === 'frame';
}

/** Threads shown expanded when there are few of them (else only those in the user's code). */
const EXPAND_ALL_UP_TO = 8;

export class StackTreeProvider implements vscode.TreeDataProvider<StackNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<StackNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: StackNode[] = [];
  private shown?: DumpEntry;
  private readonly unsubscribe: () => void;

  constructor(private readonly history: DumpHistory) {
    this.unsubscribe = history.onDidChange(() => this.rebuild());
    this.rebuild();
  }

  /** The node to reveal after a dump: the first finding's thread frame, else the first "◀ here". */
  focusNode(): FrameNode | undefined {
    const frames: FrameNode[] = [];
    const walk = (nodes: readonly StackNode[]) => {
      for (const n of nodes) {
        if (n.kind === 'frame' && n.here) frames.push(n);
        // A group's threads stay folded: its own stack (the first thread's) is where to look. Tasks are not threads.
        if ('children' in n && n.kind !== 'members' && n.kind !== 'tasks') walk(n.children);
      }
    };
    walk(this.roots);
    const finding = this.shown?.dump.findings.find((f) => f.threadId !== undefined);
    return frames.find((f) => f.thread.id === finding?.threadId) ?? frames[0];
  }

  private rebuild(): void {
    const entry = this.history.selected;
    if (entry === this.shown) return;
    this.shown = entry;
    this.roots = entry ? buildNodes(entry) : [];
    this.changed.fire(undefined);
  }

  getTreeItem(n: StackNode): vscode.TreeItem {
    return stackItem(n);
  }

  getChildren(n?: StackNode): StackNode[] {
    if (!n) return this.roots;
    return 'children' in n ? n.children : [];
  }

  getParent(n: StackNode): StackNode | undefined {
    return n.parent;
  }

  dispose(): void {
    this.unsubscribe();
    this.changed.dispose();
  }
}

function buildNodes(entry: DumpEntry): StackNode[] {
  const d = entry.dump;
  const base = `${entry.key}@${d.takenAt}`;
  const roots: StackNode[] = d.findings.map((finding, i) => findingNode(finding, `${base}/finding${i}`));
  const dumpNode: DumpNode = { kind: 'dump', id: `${base}/dump`, entry, children: [] };
  dumpNode.children = (d.notes ?? []).map((text, i) => ({ kind: 'note', id: `${base}/note${i}`, text, parent: dumpNode }));
  roots.push(dumpNode);
  // An asyncio program's tasks (read beside the stacks), grouped by where they wait: right under its dump.
  if (d.asyncio) roots.push(taskNodes(d.asyncio, base, frameRows));
  // Threads waiting alike in one place are one group row: their stack once, the threads inside.
  for (const g of groupThreads(d.threads)) {
    const thread = g.threads[0]!;
    if (g.threads.length === 1) {
      const expanded = d.threads.length <= EXPAND_ALL_UP_TO || thread.frames.some((f) => f.isUserCode);
      roots.push(threadNode(thread, `${base}/t${thread.id}`, expanded));
      continue;
    }
    const gid = `${base}/g${thread.id}`;
    const gn: GroupNode = { kind: 'group', id: gid, group: g, children: [] };
    // The group's threads, each with all its frames, are built when the user opens the row: in a
    // big dump (500 threads waiting alike) they are most of the nodes, and most stay folded.
    const members = lazyChildren<MembersNode>({ kind: 'members', id: `${gid}/threads`, group: g, parent: gn }, (m) =>
      g.threads.map((t) => threadNode(t, `${base}/t${t.id}`, false, m)),
    );
    gn.children = [members, ...frameRows(thread, thread.frames.slice(0, g.shared), gid, gn)];
    if (!g.sameStack) gn.children.push({ kind: 'note', id: `${gid}/differ`, text: GROUP_STACKS_DIFFER, parent: gn });
    roots.push(gn);
  }
  return roots;
}

/** `node` with `children` built by `build` the first time they are asked for. */
function lazyChildren<N extends { children: unknown[] }>(node: Omit<N, 'children'>, build: (n: N) => N['children']): N {
  const n = node as N;
  let built: N['children'] | undefined;
  Object.defineProperty(n, 'children', { get: () => (built ??= build(n)), enumerable: true });
  return n;
}

function threadNode(thread: ThreadStack, id: string, expanded: boolean, parent?: StackNode): ThreadNode {
  const tn: ThreadNode = { kind: 'thread', id, thread, children: [], expanded, parent };
  tn.children = frameRows(thread, thread.frames, id, tn);
  return tn;
}

/** A thread's frames as rows under `parent` (library runs folded), ids under `prefix`. */
function frameRows(thread: ThreadStack, frames: readonly Frame[], prefix: string, parent: StackNode): StackNode[] {
  const here = stoppedFrame(thread);
  const frameNode = (frame: Frame, index: number, up: StackNode): FrameNode => {
    const fn: FrameNode = { kind: 'frame', id: `${prefix}/f${index}`, frame, thread, here: frame === here, parent: up, children: [] };
    fn.children = (frame.locals ?? []).map((local, j) => ({ kind: 'local', id: `${fn.id}/l${j}`, local, parent: fn }));
    return fn;
  };
  const rows: StackNode[] = [];
  for (const row of groupFrames(frames)) {
    if (row.kind === 'frame') rows.push(frameNode(row.frame, row.index, parent));
    else {
      const lib: LibraryNode = { kind: 'library', id: `${prefix}/lib${row.frames[0]!.index}`, parent, children: [] };
      lib.children = row.frames.map((r) => frameNode(r.frame, r.index, lib));
      rows.push(lib);
    }
  }
  return rows;
}

function openCommand(link: FrameLink): vscode.Command {
  return { command: Cmd.OpenFrame, title: vscode.l10n.t('Open Frame'), arguments: [link] };
}

function stackItem(n: StackNode): vscode.TreeItem {
  const None = vscode.TreeItemCollapsibleState.None;
  switch (n.kind) {
    // Every label, description and tooltip below holds names from the target: neutralised (safeText,
    // escapeMarkdown), so no RLO reverses a row and no name becomes Markdown or a link.
    case 'finding':
    case 'findingLine':
      return findingItem(n);
    case 'dump': {
      const { dump: d, processName, where } = n.entry;
      // How and when first (the view's title names the process), laid out for the default side bar.
      const time = new Date(d.takenAt).toLocaleTimeString();
      const item = new vscode.TreeItem(
        safeText(`${d.backend}${d.method ? ` (${d.method})` : ''} · ${time}`),
        n.children.length ? vscode.TreeItemCollapsibleState.Collapsed : None,
      );
      // The process is named in the view's title; its Python version in the tooltip.
      item.description = `${d.threads.length} thread${d.threads.length === 1 ? '' : 's'}`;
      const opts = Object.entries(n.entry.options)
        .filter(([, v]) => v)
        .map(([k]) => k);
      item.tooltip = new vscode.MarkdownString().appendText(
        [
          d.opened ? `${processName}: ${d.opened.formatLabel}${d.pid ? ` of pid ${d.pid}` : ''}, ${where}` : `${processName} (pid ${d.pid}) on ${where}`,
          `Read with ${d.backend}${d.method ? ` (${d.method})` : ''} in ${d.durationMs} ms at ${d.takenAt}`,
          d.pythonVersion ? `Python ${d.pythonVersion}` : '',
          opts.length ? `Options: ${opts.join(', ')}` : '',
          ...(d.notes ?? []),
        ]
          .filter(Boolean)
          .map(safeText)
          .join('\n\n'),
      );
      item.iconPath = new vscode.ThemeIcon('history');
      item.contextValue = 'dump';
      item.id = n.id;
      return item;
    }
    case 'note': {
      const item = new vscode.TreeItem(safeText(n.text), None);
      item.iconPath = new vscode.ThemeIcon('info');
      item.tooltip = safeText(n.text);
      item.id = n.id;
      return item;
    }
    case 'thread': {
      const t = n.thread;
      const state = n.children.length === 0 ? None : n.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
      const item = new vscode.TreeItem(safeText(t.name), state);
      item.description = [t.active ? 'active' : 'idle', t.ownsGil ? 'GIL' : '', `tid ${t.nativeId ?? t.id}`].filter(Boolean).join(' · ');
      item.iconPath = new vscode.ThemeIcon(t.active ? 'pulse' : 'debug-pause');
      const at = stoppedFrame(t);
      item.tooltip = `${safeText(t.name)} — ${t.active ? 'active (running or runnable)' : 'idle (waiting)'}${t.ownsGil ? ', holds the GIL' : ''}\nthread id ${t.id}${t.nativeId ? `, OS thread ${t.nativeId}` : ''}${at ? `\nstopped at ${safeText(at.function)} (${frameLocation(at)})` : ''}`;
      item.contextValue = 'thread';
      item.id = n.id;
      return item;
    }
    case 'group': {
      const g = n.group;
      const item = new vscode.TreeItem(safeText(groupLabel(g)), vscode.TreeItemCollapsibleState.Expanded);
      const state = g.threads.every((t) => !t.active) ? 'idle' : g.threads.every((t) => t.active) ? 'active' : 'active and idle';
      item.description = [state, g.sameStack ? vscode.l10n.t('same stack') : vscode.l10n.t('same innermost {0} frames', g.shared)].join(' · ');
      item.tooltip = safeText(
        `${groupLabel(g)}${g.sameStack ? ', all with the same stack' : ''}: ${someNames(
          g.threads.map((t) => t.name),
          30,
        )}`,
      );
      item.iconPath = new vscode.ThemeIcon('layers');
      item.contextValue = 'threadGroup';
      item.id = n.id;
      return item;
    }
    case 'members': {
      const names = n.group.threads.map((t) => t.name);
      const item = new vscode.TreeItem(vscode.l10n.t('{0} threads', names.length), vscode.TreeItemCollapsibleState.Collapsed);
      item.description = safeText(someNames(names, 3));
      item.tooltip = safeText(someNames(names, 30));
      item.iconPath = new vscode.ThemeIcon('list-unordered');
      item.contextValue = 'threadGroupMembers';
      item.id = n.id;
      return item;
    }
    case 'library': {
      // gdb and py-spy --native put runs of C frames between Python frames: name them as such.
      const native = n.children.every((c) => c.frame.native);
      const label = native ? vscode.l10n.t('{0} native frames', n.children.length) : vscode.l10n.t('{0} library frames', n.children.length);
      const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Collapsed);
      const first = n.children[0]?.frame;
      const last = n.children[n.children.length - 1]?.frame;
      item.description = first && last ? `${safeText(first.function)} … ${safeText(last.function)}` : undefined;
      // The row shows the run's ends; its frames, innermost first, are in the tooltip.
      item.tooltip = n.children.map((c) => safeText(`${c.frame.function} (${frameLocation(c.frame)})`)).join('\n');
      item.iconPath = new vscode.ThemeIcon(native ? 'circuit-board' : 'library');
      item.resourceUri = dimmedUri(n.id);
      item.contextValue = 'libraryFrames';
      item.id = n.id;
      return item;
    }
    case 'frame':
      return frameItem(n);
    case 'tasks':
    case 'taskGroup':
    case 'taskMembers':
    case 'task':
    case 'taskCreated':
      return taskItem(n);
    case 'local': {
      const l = n.local;
      const item = new vscode.TreeItem(safeText(l.name), None);
      item.description = `${l.isArg ? 'arg · ' : ''}${safeText(l.repr ?? '?')}`;
      item.tooltip = `${l.isArg ? 'argument ' : ''}${safeText(l.name)} = ${safeText(l.repr ?? '(not readable)')}`;
      item.iconPath = new vscode.ThemeIcon(l.isArg ? 'symbol-parameter' : 'symbol-variable');
      item.contextValue = 'local';
      item.id = n.id;
      return item;
    }
  }
}

/** Where the "◀ here" frame stands, mark and line before the file: `◀ here :8 nightly_reconciliation_job.py`. */
function hereLocation(f: Frame): string {
  const at = frameLocation(f);
  const line = `:${f.line}`;
  return f.line && at.endsWith(line) ? `◀ here ${line} ${at.slice(0, -line.length)}` : `◀ here ${at}`;
}

function frameItem(n: FrameNode): vscode.TreeItem {
  const f = n.frame;
  const item = new vscode.TreeItem(
    safeText(f.function || '?'),
    n.children.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
  );
  // The mark and the line first (a row of the default side bar cuts a long file name, never them), then the file, then any note.
  item.description = [n.here ? hereLocation(f) : frameLocation(f), safeText(f.note ?? '')].filter(Boolean).join(' · ');
  const where = f.localFile ? `${f.localFile}:${f.line}` : `${f.file}:${f.line}`;
  const md = new vscode.MarkdownString();
  md.appendMarkdown(
    `**${escapeMarkdown(f.function || '?')}**${n.here ? ' — ' + vscode.l10n.t('where {0} is stopped in your code', escapeMarkdown(n.thread.name)) : ''}\n\n`,
  );
  md.appendMarkdown(codeBlock([where]) + '\n\n');
  if (f.localFile && f.localFile !== f.file) md.appendMarkdown(`\n${escapeMarkdown(vscode.l10n.t('reported as {0}', f.file))}\n\n`);
  if (f.mapping) md.appendMarkdown(`\n${escapeMarkdown(f.mapping.reason)}\n\n`);
  if (f.module) md.appendMarkdown(`\n${escapeMarkdown(f.module)}\n\n`);
  if (f.note) md.appendMarkdown(`\n_${escapeMarkdown(f.note)}_\n`);
  item.tooltip = md;
  if (f.native) {
    item.iconPath = new vscode.ThemeIcon('circuit-board');
    item.contextValue = 'nativeFrame';
  } else if (n.here) {
    item.iconPath = new vscode.ThemeIcon('debug-stackframe', new vscode.ThemeColor('snag.hereIconForeground'));
    item.contextValue = 'userFrame hereFrame';
  } else if (f.isUserCode) {
    item.iconPath = new vscode.ThemeIcon('debug-stackframe-dot');
    item.contextValue = 'userFrame';
  } else {
    item.iconPath = new vscode.ThemeIcon('library');
    item.contextValue = 'libraryFrame';
  }
  if (!f.isUserCode && !n.here) item.resourceUri = dimmedUri(n.id);
  if (f.localFile && f.line > 0) item.command = openCommand({ file: f.localFile, line: f.line });
  // No local copy but readable on its ssh host: the frame row itself goes to Open Frame (read-only remote document).
  else if (opensRemotely(f)) item.command = { command: Cmd.OpenFrame, title: vscode.l10n.t('Open Frame'), arguments: [n] };
  item.accessibilityInformation = { label: `${safeText(f.function)} ${frameLocation(f)}${n.here ? ', stopped here' : ''}` };
  item.id = n.id;
  return item;
}
