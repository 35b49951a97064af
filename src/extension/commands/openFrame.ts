// Opens a frame's file at its line. Takes a {file, line} link (tree rows, hover links, the
// CodeLens), a frame row from a context menu, or nothing (then: pick a frame of the selected dump).
import * as vscode from 'vscode';
import { frameLocation } from '../../core/format/dumpText';
import { stoppedFrame } from '../../core/format/frameMarks';
import type { FrameLink } from '../../core/format/stackHover';
import type { Frame } from '../../core/model';
import { iconFreeText } from '../../core/text/markdown';
import { safeText } from '../../core/text/safeText';
import { REMOTE_SCHEME, remoteFrameUri } from '../dumps/remoteDocuments';
import type { Services } from '../services';
import { isFrameNode } from '../dumps/stackTree';
import { markWalkthroughStep } from '../walkthroughProgress';

function isLink(x: unknown): x is FrameLink {
  return !!x && typeof x === 'object' && typeof (x as FrameLink).file === 'string' && typeof (x as FrameLink).line === 'number';
}

export async function revealLine(link: FrameLink): Promise<void> {
  const remote = link.file.startsWith(`${REMOTE_SCHEME}:`);
  return revealAt(remote ? vscode.Uri.parse(link.file, true) : vscode.Uri.file(link.file), link.line);
}

/** Opens any document (a local file, a read-only `snag-remote:` one) at a 1-based line. */
async function revealAt(uri: vscode.Uri, oneBasedLine: number): Promise<void> {
  const line = Math.max(0, oneBasedLine - 1);
  const editor = await vscode.window.showTextDocument(uri, { preview: true, selection: new vscode.Range(line, 0, line, 0) });
  editor.revealRange(new vscode.Range(line, 0, line, 0), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

async function explainUnmapped(frame: Frame): Promise<void> {
  const add = vscode.l10n.t('Add Path Mapping');
  const why = frame.mapping?.reason ?? vscode.l10n.t('no local file');
  const picked = await vscode.window.showInformationMessage(
    vscode.l10n.t('{0} ({1}) is not in this workspace: {2}.', safeText(frame.function), frameLocation(frame), safeText(why)),
    add,
  );
  if (picked === add) await vscode.commands.executeCommand('workbench.action.openSettingsJson', { revealSetting: { key: 'snag.pathMappings', edit: true } });
}

async function pickFrame(s: Services): Promise<FrameLink | undefined> {
  const dump = s.history.selected?.dump;
  if (!dump) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No dump yet: dump a process first.'));
    return undefined;
  }
  type Item = vscode.QuickPickItem & { link?: FrameLink };
  const items: Item[] = [];
  for (const t of dump.threads) {
    // Quick-pick rows render $(icon) syntax: names are neutralised and their `$(` escaped.
    items.push({ label: iconFreeText(t.name), kind: vscode.QuickPickItemKind.Separator });
    // Where the thread stands first (the frame the user most likely wants), then its stack.
    const here = stoppedFrame(t);
    for (const f of here ? [here, ...t.frames.filter((x) => x !== here)] : t.frames) {
      const remote = remoteFrameUri(dump.target, f);
      const file = f.line > 0 ? (f.localFile ?? remote?.toString()) : undefined;
      if (!file) continue;
      const label = f === here ? `$(debug-stackframe-focused) ${iconFreeText(f.function)}` : iconFreeText(f.function);
      const detail = remote ? f.mapping?.reason : f.isUserCode ? undefined : f.localFile;
      items.push({
        label,
        description: `${iconFreeText(frameLocation(f))}${f === here ? ' ◀ here' : ''}`,
        detail: detail === undefined ? undefined : iconFreeText(detail),
        link: { file, line: f.line },
      });
    }
  }
  const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Open Frame'), matchOnDescription: true });
  return picked?.link;
}

export function openFrame(s: Services): (arg?: unknown) => Promise<void> {
  return async (arg?: unknown) => {
    if (isFrameNode(arg)) {
      const f = arg.frame;
      // No local copy, but the ssh host has the file: open it read-only from there.
      const remote = remoteFrameUri(s.history.selected?.dump.target, f);
      if (remote) await revealAt(remote, f.line);
      else if (!f.localFile || f.line <= 0) return explainUnmapped(f);
      else await revealLine({ file: f.localFile, line: f.line });
      return markWalkthroughStep('openedFrame');
    }
    const link = isLink(arg) ? arg : await pickFrame(s);
    if (!link) return;
    await revealLine(link);
    markWalkthroughStep('openedFrame');
  };
}
