// "Install py-spy": pip-installs it into an interpreter the user picks — the Python extension's
// selected interpreter, a workspace venv, or a new `.venv` in the first folder (which Snag then
// finds by itself). Runs through core/run.ts with progress, Cancel and a time limit.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import { errorMessage } from '../core/errors';
import { run } from '../core/run';
import { findTool } from '../core/tools';
import { logError, logInfo } from './log';
import { readSettings, trustedVenvRoots, workspaceRoots } from './settings';

const PIP_TIMEOUT_MS = 5 * 60_000;

interface Choice extends vscode.QuickPickItem {
  python?: string;
  newVenv?: string;
}

async function selectedInterpreter(folder: vscode.WorkspaceFolder | undefined): Promise<string | undefined> {
  try {
    // Provided by the Python extension when installed; absent otherwise.
    const p = await vscode.commands.executeCommand<string | undefined>('python.interpreterPath', folder ? { workspaceFolder: folder.uri.fsPath } : undefined);
    return p && isAbsolute(p) && existsSync(p) ? p : undefined;
  } catch {
    return undefined;
  }
}

async function choices(): Promise<Choice[]> {
  const out: Choice[] = [];
  const folder = vscode.workspace.workspaceFolders?.[0];
  const selected = await selectedInterpreter(folder);
  if (selected) out.push({ label: vscode.l10n.t('Selected Python interpreter'), description: selected, python: selected });
  // A project venv's python is a program the repository names: offered once the workspace is trusted.
  for (const root of trustedVenvRoots()) {
    for (const venv of ['.venv', 'venv', 'env']) {
      const py = join(root, venv, 'bin', 'python');
      if (existsSync(py) && py !== selected) out.push({ label: vscode.l10n.t('Project venv {0}', venv), description: py, python: py });
    }
  }
  const root = workspaceRoots()[0];
  if (root && !existsSync(join(root, '.venv')))
    out.push({ label: vscode.l10n.t('New project venv (.venv)'), description: join(root, '.venv'), newVenv: join(root, '.venv') });
  return out;
}

export async function installPySpy(retry?: () => unknown): Promise<void> {
  const options = await choices();
  if (options.length === 0) {
    void vscode.window.showWarningMessage(
      vscode.l10n.t('Open a folder or select a Python interpreter first, or install py-spy yourself (pip install py-spy) and set snag.pyspyPath.'),
    );
    return;
  }
  const choice = options.length === 1 ? options[0] : await vscode.window.showQuickPick(options, { title: vscode.l10n.t('Install py-spy into…') });
  if (!choice) return;
  const ok = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Installing py-spy'), cancellable: true },
    async (progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      try {
        let python = choice.python;
        if (choice.newVenv) {
          progress.report({ message: vscode.l10n.t('creating {0}', choice.newVenv) });
          await run(['python3', '-m', 'venv', choice.newVenv], { timeoutMs: PIP_TIMEOUT_MS, signal: controller.signal });
          python = join(choice.newVenv, 'bin', 'python');
        }
        progress.report({ message: 'pip install py-spy' });
        const r = await run([python!, '-m', 'pip', 'install', '--disable-pip-version-check', 'py-spy'], {
          timeoutMs: PIP_TIMEOUT_MS,
          signal: controller.signal,
        });
        logInfo(r.stdout.trim().split('\n').slice(-3).join('\n'));
        await rememberLocation(join(dirname(python!), 'py-spy'));
        return true;
      } catch (err) {
        logError('installing py-spy failed', err);
        void vscode.window
          .showErrorMessage(vscode.l10n.t('Installing py-spy failed: {0}', errorMessage(err)), vscode.l10n.t('Show Log'))
          .then((b) => b && vscode.commands.executeCommand('snag.showLog'));
        return false;
      }
    },
  );
  if (!ok) return;
  const again = retry ? vscode.l10n.t('Retry') : undefined;
  const picked = await vscode.window.showInformationMessage(vscode.l10n.t('py-spy is installed.'), ...(again ? [again] : []));
  if (picked && picked === again) await retry?.();
}

/** Points snag.pyspyPath at the new binary unless Snag's own search already finds one. */
async function rememberLocation(installed: string): Promise<void> {
  if (!existsSync(installed)) return;
  const settings = readSettings();
  try {
    await findTool('py-spy', { configured: settings.pyspyPath, trustedVenvRoots: trustedVenvRoots() });
    return;
  } catch {
    /* not found: remember where pip put it */
  }
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration('snag').update('pyspyPath', installed, target);
}
