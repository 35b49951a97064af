// "Check What Snag May Read": runs the setup checks (core/setup/setupChecks.ts: py-spy found, the
// kernel's ptrace_scope, CAP_SYS_PTRACE for containers) and reports them where the walkthrough shows
// them: a context key per check, `snag.setup.<id>` = `ok` or `failed`, turns its step green or
// shows the red step with the fix. The results go to the log and into one notification.
import * as vscode from 'vscode';
import { judgeSetup, readSetupFacts } from '../../core/setup/setupChecks';
import type { SetupCheck } from '../../core/model';
import { safeText } from '../../core/text/safeText';
import { logInfo } from '../log';
import { readSettings, trustedVenvRoots } from '../settings';

/** The context key the walkthrough's steps for one check read. */
export const setupContextKey = (id: SetupCheck['id']) => `snag.setup.${id === 'sys-ptrace' ? 'sysPtrace' : id}`;

export function checkSetup(): () => Promise<SetupCheck[]> {
  return async () => {
    const checks = judgeSetup(await readSetupFacts({ configured: readSettings().pyspyPath, trustedVenvRoots: trustedVenvRoots() }));
    for (const c of checks) {
      await vscode.commands.executeCommand('setContext', setupContextKey(c.id), c.ok ? 'ok' : 'failed');
      logInfo(`setup check ${c.id}: ${c.ok ? 'ok' : 'failed'}: ${c.title}${c.fix ? ` ${c.fix}` : ''}`);
    }
    const failed = checks.filter((c) => !c.ok);
    if (failed.length === 0)
      void vscode.window.showInformationMessage(vscode.l10n.t('Snag can read your processes: {0}', checks.map((c) => safeText(c.title)).join(' ')));
    else
      void vscode.window.showWarningMessage(
        vscode.l10n.t('{0} of {1} checks failed: {2}', failed.length, checks.length, failed.map((c) => safeText(`${c.title} ${c.fix ?? ''}`.trim())).join(' ')),
      );
    return checks;
  };
}
