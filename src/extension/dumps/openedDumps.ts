// A dump opened from a file or the clipboard, shown like a live one: parsed and explained by core
// (core/open), mapped with the workspace's rules, added to the history (which selects it: the
// Stacks view, markers, hovers and Copy as Markdown follow), the "◀ here" frame revealed.
import * as vscode from 'vscode';
import { SnagError } from '../../core/errors';
import { openDump, type DumpInput } from '../../core/open/openDump';
import { safeText } from '../../core/text/safeText';
import type { Services } from '../services';
import type { DumpEntry } from './dumpHistory';
import { logInfo } from '../log';

/** History key of an opened dump: never a live process's (`<target>:<pid>`), one per opening. */
export function openedKey(name: string, at: number): string {
  return `opened:${name}@${at}`;
}

export async function openAndShow(s: Services, input: DumpInput, name: string, from: 'file' | 'paste'): Promise<DumpEntry | undefined> {
  const title = vscode.l10n.t('Opening {0}', safeText(name));
  const dump = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (_p, token) => {
    const controller = new AbortController();
    const onCancel = token.onCancellationRequested(() => controller.abort());
    try {
      return await openDump(input, { mapper: s.dumper.workspaceMapper(), name, from, signal: controller.signal });
    } catch (err) {
      if (SnagError.is(err, 'cancelled')) return undefined;
      throw err;
    } finally {
      onCancel.dispose();
    }
  });
  if (!dump) return undefined;
  const entry: DumpEntry = {
    key: openedKey(name, Date.now()),
    dump,
    processName: name,
    where: from === 'paste' ? vscode.l10n.t('pasted') : vscode.l10n.t('opened file'),
    options: {},
  };
  logInfo(`opened ${name} as ${dump.opened?.formatLabel}: ${dump.threads.length} threads, ${dump.findings.length} findings in ${dump.durationMs} ms`);
  s.history.add(entry);
  const focus = s.stackTree.focusNode();
  try {
    if (focus) await s.stackView.reveal(focus, { select: true, focus: false, expand: true });
    else await vscode.commands.executeCommand('snag.stacks.focus');
  } catch {
    /* the view container is closed; the dump is in the history and on the editors */
  }
  return entry;
}
