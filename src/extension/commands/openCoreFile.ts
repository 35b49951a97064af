// "Open Core File…": a core (gcore, the kernel's, or one Snag saved) read with gdb like a live
// process, shown in the Stacks view. Takes a Uri argument to skip the dialog.
import * as vscode from 'vscode';
import { dumpCore } from '../../core/coredump/readCore';
import { findTool } from '../../core/tools';
import { safeText } from '../../core/text/safeText';
import type { DumpEntry } from '../dumps/dumpHistory';
import { openedKey } from '../dumps/openedDumps';
import { logInfo } from '../log';
import type { Services } from '../services';
import { readSettings } from '../settings';

export async function showCore(s: Services, core: vscode.Uri, python?: string): Promise<void> {
  const name = core.path.slice(core.path.lastIndexOf('/') + 1);
  const gdb = await findTool('gdb', { configured: readSettings().gdbPath });
  const title = vscode.l10n.t('Reading the core file {0} with gdb', safeText(name));
  const dump = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (_p, token) => {
    const controller = new AbortController();
    const onCancel = token.onCancellationRequested(() => controller.abort());
    try {
      return await dumpCore({ core: core.fsPath, python, gdb, mapper: s.dumper.workspaceMapper(), signal: controller.signal });
    } finally {
      onCancel.dispose();
    }
  });
  const entry: DumpEntry = { key: openedKey(name, Date.now()), dump, processName: name, where: vscode.l10n.t('core file'), options: {} };
  logInfo(`read core ${name}: ${dump.threads.length} threads, ${dump.findings.length} findings in ${dump.durationMs} ms`);
  s.history.add(entry);
  const focus = s.stackTree.focusNode();
  try {
    if (focus) await s.stackView.reveal(focus, { select: true, focus: false, expand: true });
    else await vscode.commands.executeCommand('snag.stacks.focus');
  } catch {
    /* the view container is closed */
  }
}

export function openCoreFile(s: Services): (uri?: unknown) => Promise<void> {
  return async (uri?: unknown) => {
    const picked =
      uri instanceof vscode.Uri
        ? uri
        : (await vscode.window.showOpenDialog({ title: vscode.l10n.t('Open Core File'), openLabel: vscode.l10n.t('Open Core'), canSelectMany: false }))?.[0];
    if (picked) await showCore(s, picked);
  };
}
