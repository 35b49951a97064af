// A finding in the Stacks view, laid out for the side bar's default width (about 300 px): its
// sentence on rows of a few words, the first one the finding's row (icon, severity), the rest
// folded inside it, so the whole finding is read without a hover and nothing is cut off. A place
// ("at worker.py:25 (download_file)") stays on one row. Every row opens the finding's frame; the
// tooltip has the sentence and its detail (why, and what to do).
import * as vscode from 'vscode';
import { findingMarkdown, type FrameLink } from '../../core/format/stackHover';
import type { Finding } from '../../core/model';
import { safeText } from '../../core/text/safeText';
import { Cmd } from '../commands/commandIds';
import { inEditorTerms } from './editorTerms';

/** Characters of a finding on one row: what the default side bar shows of a top-level row. */
export const FINDING_ROW_CHARS = 34;

export interface FindingNode {
  kind: 'finding';
  id: string;
  parent?: undefined;
  finding: Finding;
  /** The rest of the finding's sentence, a row each. */
  children: FindingLineNode[];
}

export interface FindingLineNode {
  kind: 'findingLine';
  id: string;
  parent: FindingNode;
  text: string;
}

/** A finding's rows: its title split into lines of at most `width` characters (a longer word alone on its line). */
export function findingLines(title: string, width = FINDING_ROW_CHARS): string[] {
  const lines: string[] = [];
  let line = '';
  for (const unit of units(title.split(' ').filter(Boolean), width)) {
    if (line && line.length + 1 + unit.length > width) {
      lines.push(line);
      line = unit;
    } else line = line ? `${line} ${unit}` : unit;
  }
  if (line) lines.push(line);
  return lines;
}

const PLACE = /^\S+:\d+[,;:.]?$/;

/** Words, with a place (`at file.py:12 (fn),`) kept as one unit when it fits on a row. */
function units(words: readonly string[], width: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const at = words[i]!;
    if (at !== 'at' || !PLACE.test(words[i + 1] ?? '')) {
      out.push(at);
      continue;
    }
    let end = i + 1;
    if (/\d$/.test(words[end]!) && words[end + 1]?.startsWith('(')) {
      end++;
      while (end < words.length - 1 && !words[end]!.includes(')')) end++;
    }
    const place = words.slice(i, end + 1);
    if (place.join(' ').length <= width) out.push(place.join(' '));
    else out.push(...place);
    i = end;
  }
  return out;
}

export function findingNode(finding: Finding, id: string): FindingNode {
  const node: FindingNode = { kind: 'finding', id, finding, children: [] };
  // Target names are in the title: neutralised before it is measured and split.
  const [, ...rest] = findingLines(safeText(finding.title));
  node.children = rest.map((text, i) => ({ kind: 'findingLine', id: `${id}/line${i}`, parent: node, text }));
  return node;
}

const SEVERITY_ICON = { error: 'error', warning: 'warning', info: 'info' } as const;
const SEVERITY_COLOR = { error: 'problemsErrorIcon.foreground', warning: 'problemsWarningIcon.foreground', info: 'problemsInfoIcon.foreground' } as const;

export function findingItem(n: FindingNode | FindingLineNode): vscode.TreeItem {
  const head = n.kind === 'finding' ? n : n.parent;
  const f = head.finding;
  const title = safeText(f.title);
  const item =
    n.kind === 'finding'
      ? new vscode.TreeItem(
          findingLines(title)[0] ?? title,
          n.children.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
        )
      : new vscode.TreeItem(n.text, vscode.TreeItemCollapsibleState.None);
  if (n.kind === 'finding') {
    item.iconPath = new vscode.ThemeIcon(SEVERITY_ICON[f.severity], new vscode.ThemeColor(SEVERITY_COLOR[f.severity]));
    item.contextValue = `finding ${f.kind}`;
    // A screen reader reads the whole sentence on the finding's row.
    item.accessibilityInformation = { label: `${f.severity}: ${title}` };
  } else item.contextValue = 'findingLine';
  // The title and detail hold names from the target: escaped Markdown (findingMarkdown).
  item.tooltip = new vscode.MarkdownString(inEditorTerms(findingMarkdown(f)));
  if (f.frame?.localFile) item.command = openCommand({ file: f.frame.localFile, line: f.frame.line });
  item.id = n.id;
  return item;
}

function openCommand(link: FrameLink): vscode.Command {
  return { command: Cmd.OpenFrame, title: vscode.l10n.t('Open Frame'), arguments: [link] };
}
