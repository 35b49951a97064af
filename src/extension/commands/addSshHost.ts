// "Add SSH Host…": pick a Host from your ssh config or type `user@host` / an alias; it is added to
// snag.sshHosts (user settings) and appears in the Processes view. No password is ever asked for
// or stored: ssh uses your keys, agent and config.
import * as vscode from 'vscode';
import { readSshConfigHosts } from '../../core/targets/sshConfig';
import { checkSshHost } from '../../core/targets/sshConnection';
import { addSshHostSetting, readSshSettings } from '../targets/sshTargetProvider';

function validHost(value: string): boolean {
  try {
    checkSshHost(value);
    return true;
  } catch {
    return false;
  }
}

export function addSshHost(): () => Promise<void> {
  return async () => {
    const settings = readSshSettings();
    const listed = new Set(settings.hosts.map((h) => h.host));
    const fromConfig = (await readSshConfigHosts(settings.configFile).catch(() => [] as string[])).filter((h) => !listed.has(h));
    const configItems: vscode.QuickPickItem[] = fromConfig.map((h) => ({ label: h, description: vscode.l10n.t('from your ssh config') }));
    const pick = vscode.window.createQuickPick();
    pick.title = vscode.l10n.t('Add SSH Host');
    pick.placeholder = vscode.l10n.t('user@host, a Host alias from your ssh config, or ssh://user@host:port');
    pick.items = configItems;
    pick.onDidChangeValue((v) => {
      const typed = v.trim();
      pick.items =
        typed && validHost(typed) && !fromConfig.includes(typed)
          ? [{ label: typed, description: vscode.l10n.t('add this host') }, ...configItems]
          : configItems;
    });
    const host = await new Promise<string | undefined>((resolve) => {
      pick.onDidAccept(() => {
        const chosen = pick.selectedItems[0]?.label ?? pick.value.trim();
        resolve(validHost(chosen) ? chosen : undefined);
        pick.hide();
      });
      pick.onDidHide(() => resolve(undefined));
      pick.show();
    });
    pick.dispose();
    if (!host) return;
    await addSshHostSetting(host);
  };
}
