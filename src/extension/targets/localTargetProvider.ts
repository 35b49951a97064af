// The processes next to the extension host. With extensionKind "workspace" that is the remote
// machine in a Remote-SSH / WSL / container window, so the group says which one.
import { hostname } from 'node:os';
import * as vscode from 'vscode';
import { LocalTarget } from '../../core/targets/local';
import type { TargetGroup, TargetProvider } from './targetProviders';

/**
 * `Local`, or `Local (ssh-remote)` in a remote window. Servers that name themselves by their
 * address (code-server: `127.0.0.1:8080`) get the machine's host name instead.
 */
export function localGroupLabel(remoteName: string | undefined, host = hostname()): string {
  if (!remoteName) return 'Local';
  return /^[a-z][a-z-]*$/i.test(remoteName) ? `Local (${remoteName})` : `Local (${host})`;
}

export function createLocalTargetProvider(): TargetProvider {
  const remote = vscode.env.remoteName;
  const label = localGroupLabel(remote);
  // One instance for the session: it measures CPU between refreshes.
  const target = new LocalTarget(label);
  const group: TargetGroup = {
    id: 'local',
    label,
    icon: remote ? 'remote' : 'vm',
    contextValue: 'snagTarget',
    tooltip: remote ? vscode.l10n.t('Processes on the machine this {0} window runs on', remote) : vscode.l10n.t('Processes on this machine'),
    target,
    emptyMessage: vscode.l10n.t('No Python processes'),
  };
  return { id: 'local', groups: async () => [group] };
}
