// The Stacks view: the selected dump — its findings first, then a row saying how it was taken,
// then threads → frames (innermost first). The frame each thread is stopped at in the user's code
// is marked "◀ here"; library runs fold into "N library frames"; clicking a frame opens it.
import * as vscode from 'vscode';
import { frameLocation } from '../core/format/dumpText';
import { groupFrames } from '../core/format/frameGroups';
import { stoppedFrame } from '../core/format/frameMarks';
import type { Finding, Frame, LocalVariable, ThreadStack } from '../core/model';
import { Cmd } from './commandIds';
import type { DumpEntry, DumpHistory } from './dumpHistory';
import { dimmedUri } from './frameDimming';
import { findingMarkdown, type FrameLink } from '../core/format/stackHover';
import { inEditorTerms } from './editorTerms';

interface Base {
  id: string;
  parent?: StackNode;
}
export interface FindingNode extends Base {
  kind: 'finding';
  finding: Finding;
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
export type StackNode = FindingNode | DumpNode | NoteNode | ThreadNode | FrameNode | LibraryNode | LocalNode;

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
        if ('children' in n) walk(n.children);
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
  const roots: StackNode[] = d.findings.map((finding, i) => ({ kind: 'finding', id: `${base}/finding${i}`, finding }));
  const dumpNode: DumpNode = { kind: 'dump', id: `${base}/dump`, entry, children: [] };
  dumpNode.children = (d.notes ?? []).map((text, i) => ({ kind: 'note', id: `${base}/note${i}`, text, parent: dumpNode }));
  roots.push(dumpNode);
  for (const thread of d.threads) {
    const tid = `${base}/t${thread.id}`;
    const expanded = d.threads.length <= EXPAND_ALL_UP_TO || thread.frames.some((f) => f.isUserCode);
    const tn: ThreadNode = { kind: 'thread', id: tid, thread, children: [], expanded };
    const here = stoppedFrame(thread);
    const frameNode = (frame: Frame, index: number, parent: StackNode): FrameNode => {
      const fn: FrameNode = { kind: 'frame', id: `${tid}/f${index}`, frame, thread, here: frame === here, parent, children: [] };
      fn.children = (frame.locals ?? []).map((local, j) => ({ kind: 'local', id: `${fn.id}/l${j}`, local, parent: fn }));
      return fn;
    };
    for (const row of groupFrames(thread.frames)) {
      if (row.kind === 'frame') tn.children.push(frameNode(row.frame, row.index, tn));
      else {
        const lib: LibraryNode = { kind: 'library', id: `${tid}/lib${row.frames[0]!.index}`, parent: tn, children: [] };
        lib.children = row.frames.map((r) => frameNode(r.frame, r.index, lib));
        tn.children.push(lib);
      }
    }
    roots.push(tn);
  }
  return roots;
}

const SEVERITY_ICON = { error: 'error', warning: 'warning', info: 'info' } as const;
const SEVERITY_COLOR = { error: 'problemsErrorIcon.foreground', warning: 'problemsWarningIcon.foreground', info: 'problemsInfoIcon.foreground' } as const;

function openCommand(link: FrameLink): vscode.Command {
  return { command: Cmd.OpenFrame, title: vscode.l10n.t('Open Frame'), arguments: [link] };
}

function stackItem(n: StackNode): vscode.TreeItem {
  const None = vscode.TreeItemCollapsibleState.None;
  switch (n.kind) {
    case 'finding': {
      const f = n.finding;
      const item = new vscode.TreeItem(f.title, None);
      item.iconPath = new vscode.ThemeIcon(SEVERITY_ICON[f.severity], new vscode.ThemeColor(SEVERITY_COLOR[f.severity]));
      item.tooltip = new vscode.MarkdownString(inEditorTerms(findingMarkdown(f)));
      if (f.frame) item.description = `${f.frame.file.slice(f.frame.file.lastIndexOf('/') + 1)}:${f.frame.line}`;
      if (f.frame?.localFile) item.command = openCommand({ file: f.frame.localFile, line: f.frame.line });
      item.contextValue = `finding ${f.kind}`;
      item.id = n.id;
      return item;
    }
    case 'dump': {
      const { dump: d, processName, where } = n.entry;
      const item = new vscode.TreeItem(`${processName} · pid ${d.pid}`, n.children.length ? vscode.TreeItemCollapsibleState.Collapsed : None);
      const time = new Date(d.takenAt).toLocaleTimeString();
      item.description = [`${d.backend}${d.method ? ` (${d.method})` : ''}`, time, `${d.threads.length} thread${d.threads.length === 1 ? '' : 's'}`, d.pythonVersion ? `Python ${d.pythonVersion}` : ''].filter(Boolean).join(' · ');
      const opts = Object.entries(n.entry.options).filter(([, v]) => v).map(([k]) => k);
      item.tooltip = new vscode.MarkdownString().appendText(
        [`${processName} (pid ${d.pid}) on ${where}`, `Read with ${d.backend}${d.method ? ` (${d.method})` : ''} in ${d.durationMs} ms at ${d.takenAt}`, opts.length ? `Options: ${opts.join(', ')}` : '', ...(d.notes ?? [])].filter(Boolean).join('\n\n'),
      );
      item.iconPath = new vscode.ThemeIcon('history');
      item.contextValue = 'dump';
      item.id = n.id;
      return item;
    }
    case 'note': {
      const item = new vscode.TreeItem(n.text, None);
      item.iconPath = new vscode.ThemeIcon('info');
      item.tooltip = n.text;
      item.id = n.id;
      return item;
    }
    case 'thread': {
      const t = n.thread;
      const state = n.children.length === 0 ? None : n.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
      const item = new vscode.TreeItem(t.name, state);
      item.description = [t.active ? 'active' : 'idle', t.ownsGil ? 'GIL' : '', `tid ${t.nativeId ?? t.id}`].filter(Boolean).join(' · ');
      item.iconPath = new vscode.ThemeIcon(t.active ? 'pulse' : 'debug-pause');
      const at = stoppedFrame(t);
      item.tooltip = `${t.name} — ${t.active ? 'active (running or runnable)' : 'idle (waiting)'}${t.ownsGil ? ', holds the GIL' : ''}\nthread id ${t.id}${t.nativeId ? `, OS thread ${t.nativeId}` : ''}${at ? `\nstopped at ${at.function} (${frameLocation(at)})` : ''}`;
      item.contextValue = 'thread';
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
      item.description = first && last ? `${first.function} … ${last.function}` : undefined;
      item.iconPath = new vscode.ThemeIcon(native ? 'circuit-board' : 'library');
      item.resourceUri = dimmedUri(n.id);
      item.contextValue = 'libraryFrames';
      item.id = n.id;
      return item;
    }
    case 'frame':
      return frameItem(n);
    case 'local': {
      const l = n.local;
      const item = new vscode.TreeItem(l.name, None);
      item.description = `${l.isArg ? 'arg · ' : ''}${l.repr ?? '?'}`;
      item.tooltip = `${l.isArg ? 'argument ' : ''}${l.name} = ${l.repr ?? '(not readable)'}`;
      item.iconPath = new vscode.ThemeIcon(l.isArg ? 'symbol-parameter' : 'symbol-variable');
      item.contextValue = 'local';
      item.id = n.id;
      return item;
    }
  }
}

function frameItem(n: FrameNode): vscode.TreeItem {
  const f = n.frame;
  const item = new vscode.TreeItem(f.function || '?', n.children.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  item.description = [frameLocation(f), f.note ?? '', n.here ? '◀ here' : ''].filter(Boolean).join(' · ');
  const where = f.localFile ? `${f.localFile}:${f.line}` : `${f.file}:${f.line}`;
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**${escapeMd(f.function || '?')}**${n.here ? ' — ' + vscode.l10n.t('where {0} is stopped in your code', escapeMd(n.thread.name)) : ''}\n\n`);
  md.appendCodeblock(where);
  if (f.localFile && f.localFile !== f.file) md.appendMarkdown(`\n${escapeMd(vscode.l10n.t('reported as {0}', f.file))}\n\n`);
  if (f.mapping) md.appendMarkdown(`\n${escapeMd(f.mapping.reason)}\n\n`);
  if (f.module) md.appendMarkdown(`\n${escapeMd(f.module)}\n\n`);
  if (f.note) md.appendMarkdown(`\n_${escapeMd(f.note)}_\n`);
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
  else if (f.mapping?.method === 'remote' && f.line > 0) item.command = { command: Cmd.OpenFrame, title: vscode.l10n.t('Open Frame'), arguments: [n] };
  item.accessibilityInformation = { label: `${f.function} ${frameLocation(f)}${n.here ? ', stopped here' : ''}` };
  item.id = n.id;
  return item;
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!<>|~]/g, (c) => `\\${c}`);
}
