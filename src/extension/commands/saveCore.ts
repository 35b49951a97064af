// "Save a Core and Let It Go" on a process row (this machine, a container, an ssh host): gcore through
// the guard where the target says, a core taken elsewhere copied back with progress (a large one
// asked for first), checked and stored with its metadata in Snag's storage, the process left running; the notification
// offers to open the core at once.
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { captureCore, checkCoreFolder } from '../../core/coredump/captureCore';
import { processAfterText } from '../../core/coredump/gcoreOutcome';
import { findTool } from '../../core/tools';
import { formatBytes } from '../../core/validate/limits';
import { safeText } from '../../core/text/safeText';
import { pickProcess } from '../targets/pickProcess';
import { isProcessNode } from '../targets/processTree';
import type { Services } from '../services';
import { showCore } from './openCoreFile';

/** Cores are large: kept in the user's cache folder, never in the workspace (nor its git). */
export function coresFolder(): vscode.Uri {
  return vscode.Uri.file(join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'snag', 'cores'));
}

export function saveCore(s: Services): (node?: unknown) => Promise<void> {
  return async (node?: unknown) => {
    const ref = isProcessNode(node) ? node : await pickProcess(s.providers, vscode.l10n.t('Save a Core of…'));
    if (!ref) return;
    const dir = coresFolder();
    // A folder that cannot be made (a file in its place, no rights) is said plainly before gcore runs.
    await Promise.resolve(vscode.workspace.fs.createDirectory(dir)).catch(() => undefined);
    await checkCoreFolder(dir.fsPath);
    const gcore = await findTool('gcore');
    const p = ref.process;
    const meta = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Saving a core of {0} (pid {1})', safeText(p.name), p.pid), cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const onCancel = token.onCancellationRequested(() => controller.abort());
        let shown = 0;
        try {
          return await captureCore({
            target: ref.target,
            pid: p.pid,
            dir: dir.fsPath,
            gcore,
            signal: controller.signal,
            // A core taken on an ssh host or in a container comes back here: say how far the copy is.
            onProgress: (step, copied = 0, total = 0) => {
              if (step === 'writing') return progress.report({ message: vscode.l10n.t('gcore is writing the core…') });
              const percent = total ? Math.floor((copied / total) * 100) : 0;
              progress.report({
                message: vscode.l10n.t('copying it back: {0} of {1}', formatBytes(copied), formatBytes(total)),
                increment: percent - shown,
              });
              shown = percent;
            },
            confirmLargeCopy: async (bytes, where) => {
              const go = vscode.l10n.t('Copy It');
              const answer = await vscode.window.showWarningMessage(
                vscode.l10n.t('The core on {0} is {1}. Copy it to this machine?', safeText(where), formatBytes(bytes)),
                { modal: true },
                go,
              );
              return answer === go;
            },
          });
        } finally {
          onCancel.dispose();
        }
      },
    );
    const open = vscode.l10n.t('Open Core');
    const picked = await vscode.window.showInformationMessage(
      meta.processAfter === 'left-stopped' || meta.processAfter === 'still-stopped'
        ? vscode.l10n.t(
            'Saved a core of {0} (pid {1}, {2}); the process {3}. {4}',
            safeText(p.name),
            p.pid,
            formatBytes(meta.bytes),
            processAfterText(meta.processAfter),
            meta.core,
          )
        : vscode.l10n.t('Saved a core of {0} (pid {1}, {2}); the process keeps running. {3}', safeText(p.name), p.pid, formatBytes(meta.bytes), meta.core),
      open,
    );
    if (picked === open) await showCore(s, vscode.Uri.file(meta.core), meta.interpreter);
  };
}
