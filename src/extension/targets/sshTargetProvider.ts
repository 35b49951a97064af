// SSH hosts in the Processes view: a group per host from ~/.ssh/config (Host entries without
// patterns) and the snag.sshHosts setting, showing its connection state (connecting, connected,
// unreachable with ssh's error), its Python processes, and the container engines on it. Hosts
// stay collapsed until opened, so Snag never connects to a host nobody asked about; everything
// is async and cancellable, and a dead host is retried at most every RETRY_MS by the refresh timer.
import * as vscode from 'vscode';
import { escapeMarkdown } from '../../core/text/markdown';
import { SnagError } from '../../core/errors';
import { detectEngines } from '../../core/targets/containerEngine';
import { SshTarget, sshTargetId, type SshHostSettings } from '../../core/targets/ssh';
import { readSshConfigHosts } from '../../core/targets/sshConfig';
import type { SshState } from '../../core/targets/sshConnection';
import { findTool } from '../../core/tools';
import { engineGroup, readContainerSettings } from './containerTargetProvider';
import type { Fixes } from '../fixes';
import { logError, logInfo } from '../log';
import { affectsSnag, readSettings, SECTION, trustedVenvRoots, workspaceRoots } from '../settings';
import { resolveSshHosts, withoutSshHost, withSshHost } from './sshHostsSetting';
import type { TargetGroup, TargetProvider } from './targetProviders';

const RETRY_MS = 30_000;

export type CopyPySpyPolicy = 'ask' | 'always' | 'never';

export interface SshSettings {
  hosts: SshHostSettings[];
  configFile?: string;
  showConfigHosts: boolean;
  connectTimeoutSeconds: number;
  copyPySpy: CopyPySpyPolicy;
  sshPath?: string;
}

export function readSshSettings(): SshSettings {
  const c = vscode.workspace.getConfiguration(SECTION);
  const copy = c.get<string>('ssh.copyPySpy', 'ask');
  return {
    hosts: resolveSshHosts(c.get('sshHosts'), workspaceRoots()[0]),
    configFile: c.get<string>('ssh.configFile', '').trim() || undefined,
    showConfigHosts: c.get<boolean>('ssh.showConfigHosts', true),
    connectTimeoutSeconds: Math.max(1, c.get<number>('ssh.connectTimeoutSeconds', 10)),
    copyPySpy: copy === 'always' || copy === 'never' ? copy : 'ask',
    sshPath: c.get<string>('ssh.path', '').trim() || undefined,
  };
}

interface HostEntry {
  settings: SshHostSettings;
  /** Where the host came from, for the tooltip. */
  source: 'settings' | 'ssh-config';
}

function describeState(s: SshState): string {
  switch (s.kind) {
    case 'idle':
      return '';
    case 'connecting':
      return vscode.l10n.t('connecting…');
    case 'connected':
      return s.platform;
    case 'unreachable':
      return vscode.l10n.t('unreachable');
  }
}

/** The SSH hosts: their targets (one connection each, kept across refreshes) and their groups. */
export class SshHosts implements TargetProvider, vscode.Disposable {
  readonly id = 'ssh';
  private readonly targets = new Map<string, { target: SshTarget; key: string; off: () => void; settled?: string }>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  /** Hosts whose py-spy copy the user allowed in this session (the "Copy py-spy" fix). */
  private readonly copyAllowed = new Set<string>();
  private readonly listener: vscode.Disposable;

  constructor() {
    this.listener = vscode.workspace.onDidChangeConfiguration((e) => {
      if (affectsSnag(e, 'sshHosts') || affectsSnag(e, 'ssh') || affectsSnag(e, 'containers')) this.changed.fire();
    });
  }

  /** Hosts to show: the setting's first, then ~/.ssh/config's (or snag.ssh.configFile's). */
  async entries(settings = readSshSettings()): Promise<HostEntry[]> {
    const out: HostEntry[] = settings.hosts.map((h) => ({ settings: h, source: 'settings' }));
    if (settings.showConfigHosts) {
      try {
        const known = new Set(out.map((e) => e.settings.host));
        for (const host of await readSshConfigHosts(settings.configFile)) if (!known.has(host)) out.push({ settings: { host }, source: 'ssh-config' });
      } catch (err) {
        logError('reading the ssh config failed', err);
      }
    }
    return out;
  }

  /** The target for a host (made on first use; remade when its settings change). */
  target(hostSettings: SshHostSettings, settings = readSshSettings()): SshTarget {
    const key = JSON.stringify([hostSettings, settings.configFile, settings.connectTimeoutSeconds, settings.sshPath]);
    const known = this.targets.get(hostSettings.host);
    if (known?.key === key) return known.target;
    if (known) this.forget(hostSettings.host);
    const host = hostSettings.host;
    const target = new SshTarget({
      ...hostSettings,
      configFile: settings.configFile,
      connectTimeoutSeconds: settings.connectTimeoutSeconds,
      sshPath: settings.sshPath,
      retryUnreachableAfterMs: RETRY_MS,
      localPySpy: () => findTool('py-spy', { configured: readSettings().pyspyPath, trustedVenvRoots: trustedVenvRoots() }),
      allowCopyPySpy: (platform) => this.mayCopyPySpy(host, hostSettings.label ?? host, platform),
    });
    const entry = { target, key, off: () => {}, settled: undefined as string | undefined };
    // Redraw when the host settles into another state (not for "connecting": that would loop).
    entry.off = target.runner.onDidChangeState((s) => {
      if (s.kind === 'connecting') return;
      const settled = s.kind === 'unreachable' ? `unreachable:${s.error}` : s.kind;
      if (settled === entry.settled) return;
      entry.settled = settled;
      logInfo(`ssh ${host}: ${s.kind}${s.kind === 'unreachable' ? ` (${s.error})` : ''}`);
      this.changed.fire();
    });
    this.targets.set(host, entry);
    return target;
  }

  /** The live target with this id (a dump's target, for its remote documents), if Snag knows the host. */
  async findTarget(id: string): Promise<SshTarget | undefined> {
    for (const e of this.targets.values()) if (e.target.ref.id === id) return e.target;
    const entry = (await this.entries()).find((e) => sshTargetId(e.settings.host) === id);
    return entry && this.target(entry.settings);
  }

  /** The live target for a host name, if Snag knows the host (remote documents, commands). */
  async find(host: string): Promise<SshTarget | undefined> {
    const known = this.targets.get(host)?.target;
    if (known) return known;
    const entry = (await this.entries()).find((e) => e.settings.host === host);
    return entry && this.target(entry.settings);
  }

  private async mayCopyPySpy(host: string, label: string, platform: string): Promise<boolean> {
    const policy = readSshSettings().copyPySpy;
    if (policy === 'always' || this.copyAllowed.has(host)) return true;
    if (policy === 'never') return false;
    const copy = vscode.l10n.t('Copy py-spy');
    const picked = await vscode.window.showWarningMessage(
      vscode.l10n.t('py-spy is not installed on {0}. Copy this machine’s py-spy there ({1})?', label, platform),
      {
        modal: true,
        detail: vscode.l10n.t(
          'Snag puts it in a private temporary folder on the host (mktemp -d) and removes it when this window closes. Set snag.ssh.copyPySpy to stop asking.',
        ),
      },
      copy,
    );
    if (picked !== copy) return false;
    this.copyAllowed.add(host);
    return true;
  }

  /** The "Copy py-spy" fix: allow it for this host in this session. */
  allowCopy(host: string): void {
    this.copyAllowed.add(host);
  }

  async groups(): Promise<readonly TargetGroup[]> {
    const settings = readSshSettings();
    const entries = await this.entries(settings);
    const wanted = new Set(entries.map((e) => e.settings.host));
    for (const host of [...this.targets.keys()]) if (!wanted.has(host)) this.forget(host);
    return entries.map((e) => this.group(e, settings));
  }

  private group(entry: HostEntry, settings: SshSettings): TargetGroup {
    const target = this.target(entry.settings, settings);
    const state = target.runner.state;
    const tooltip = new vscode.MarkdownString();
    tooltip.appendMarkdown(
      `**${escapeMarkdown(entry.settings.label ?? entry.settings.host)}**${entry.settings.label ? ` (${escapeMarkdown(entry.settings.host)})` : ''}\n\n`,
    );
    tooltip.appendMarkdown(entry.source === 'settings' ? vscode.l10n.t('From the setting snag.sshHosts') : vscode.l10n.t('From your ssh config'));
    // The error quotes ssh's stderr (the host's banner, its messages): escaped, its `$(` too, as the tooltip renders icons.
    if (state.kind === 'unreachable') tooltip.appendMarkdown(`\n\n$(error) ${escapeMarkdown(state.error)}`);
    tooltip.supportThemeIcons = true;
    return {
      id: sshTargetId(entry.settings.host),
      sshHost: entry.settings.host,
      label: entry.settings.label ?? entry.settings.host,
      description: describeState(state),
      tooltip,
      icon: state.kind === 'unreachable' ? 'debug-disconnect' : 'remote',
      contextValue: `sshHost ${state.kind === 'unreachable' ? 'sshUnreachable' : 'sshReachable'} ${entry.source === 'settings' ? 'sshFromSettings' : 'sshFromConfig'}`,
      target,
      // Opening the host connects; until then nothing is sent anywhere.
      expanded: false,
      emptyMessage: vscode.l10n.t('No Python processes'),
      children: async (signal) => {
        try {
          await target.runner.ensureConnected(signal);
        } catch {
          return []; // the process listing's row says why
        }
        const containers = readContainerSettings();
        const engines = await detectEngines(target, containers.engine, signal);
        return engines.filter((e) => !SnagError.is(e.error, 'unreachable')).map(({ engine, info, error }) => engineGroup(engine, info, error, containers));
      },
    };
  }

  /** Try a host again now (the Reconnect action), instead of waiting out the retry pause. */
  async reconnect(host: string): Promise<void> {
    const target = await this.find(host);
    if (!target) return;
    try {
      await target.runner.connect();
    } finally {
      this.changed.fire();
    }
  }

  private forget(host: string): void {
    const entry = this.targets.get(host);
    if (!entry) return;
    this.targets.delete(host);
    entry.off();
    void entry.target.dispose().finally(() => entry.target.runner.close());
  }

  dispose(): void {
    for (const host of [...this.targets.keys()]) this.forget(host);
    this.listener.dispose();
    this.changed.dispose();
  }
}

/** Adds a host to snag.sshHosts (user settings). */
export async function addSshHostSetting(host: string): Promise<void> {
  const c = vscode.workspace.getConfiguration(SECTION);
  await c.update('sshHosts', withSshHost(c.inspect('sshHosts')?.globalValue, host), vscode.ConfigurationTarget.Global);
}

/** Removes a host from snag.sshHosts wherever it is set (user and workspace settings). */
export async function removeSshHostSetting(host: string): Promise<void> {
  const c = vscode.workspace.getConfiguration(SECTION);
  const i = c.inspect('sshHosts');
  if (i?.globalValue !== undefined) await c.update('sshHosts', withoutSshHost(i.globalValue, host), vscode.ConfigurationTarget.Global);
  if (i?.workspaceValue !== undefined) await c.update('sshHosts', withoutSshHost(i.workspaceValue, host), vscode.ConfigurationTarget.Workspace);
}

/** A terminal running `ssh HOST`: to accept a host key or unlock a key, which Snag never does for you. */
export function openSshTerminal(host: string, settings = readSshSettings()): void {
  const terminal = vscode.window.createTerminal({
    name: `ssh ${host}`,
    shellPath: settings.sshPath ?? 'ssh',
    shellArgs: [...(settings.configFile ? ['-F', settings.configFile] : []), '--', host],
  });
  terminal.show();
}

/** What the ssh fixes do: open a terminal to the host; allow copying py-spy there and retry. */
export function registerSshFixes(fixes: Fixes, hosts: SshHosts): vscode.Disposable[] {
  return [
    fixes.register('ssh-terminal', {
      label: vscode.l10n.t('Open SSH Terminal'),
      run: (ctx) => {
        const host = ctx.ref?.target?.sshHost;
        if (host) openSshTerminal(host);
      },
    }),
    fixes.register('copy-pyspy', {
      label: vscode.l10n.t('Copy py-spy to the Host'),
      run: (ctx) => {
        const host = ctx.ref?.target?.sshHost;
        if (!host) return;
        hosts.allowCopy(host);
        return ctx.retry?.();
      },
    }),
  ];
}
