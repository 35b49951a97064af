// What each SnagFix does in VS Code, and its button label. The standard fixes are built here;
// a target's engineer registers its own (use a sidecar, open an SSH terminal, copy py-spy into a
// container) with Fixes.register. Fixes get the failed request's context, so "Retry non-blocking"
// or "Use a sidecar" can repeat exactly that request.
import * as vscode from 'vscode';
import type { SnagFix } from '../core/errors';
import type { DumpOptions } from '../core/model';
import { Cmd } from './commands/commandIds';
import { installPySpy } from './installPySpy';
import type { ProcessRef } from './targets/targetProviders';

export type FixActions = Partial<Record<SnagFix, () => unknown>>;

/** What a fix knows about the failure it repairs. */
export interface FixContext {
  /** The process the failed request was about. */
  ref?: ProcessRef;
  /** Repeats the failed request, with other dump options if given. */
  retry?: (options?: DumpOptions) => unknown;
}

export interface FixAction {
  label: string;
  run(ctx: FixContext): unknown;
}

const LABELS: Partial<Record<SnagFix, string>> = {
  'install-pyspy': vscode.l10n.t('Install py-spy'),
  'configure-pyspy-path': vscode.l10n.t('Set py-spy Path'),
  'ptrace-help': vscode.l10n.t('How to allow ptrace'),
  'add-sys-ptrace': vscode.l10n.t('How to add SYS_PTRACE'),
  'install-gdb': vscode.l10n.t('How to install gdb'),
  'retry-nonblocking': vscode.l10n.t('Retry non-blocking'),
  'refresh-processes': vscode.l10n.t('Refresh Processes'),
  'show-log': vscode.l10n.t('Show Log'),
};

export class Fixes {
  private readonly registered = new Map<SnagFix, FixAction>();

  constructor(private readonly extensionUri: vscode.Uri) {}

  /** Adds (or replaces) what a fix does. */
  register(fix: SnagFix, action: FixAction): vscode.Disposable {
    this.registered.set(fix, action);
    return new vscode.Disposable(() => this.registered.get(fix) === action && this.registered.delete(fix));
  }

  label(fix: SnagFix): string {
    return this.registered.get(fix)?.label ?? LABELS[fix] ?? fix.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase());
  }

  /** The fixes this window can perform for a failure in this context. */
  actions(ctx: FixContext = {}): FixActions {
    const help = () => vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.joinPath(this.extensionUri, 'media', 'help', 'troubleshooting.md'));
    const out: FixActions = {
      'install-pyspy': () => installPySpy(ctx.retry && (() => ctx.retry?.())),
      'configure-pyspy-path': () => vscode.commands.executeCommand('workbench.action.openSettings', 'snag.pyspyPath'),
      'ptrace-help': help,
      'add-sys-ptrace': help,
      'install-gdb': help,
      'refresh-processes': () => vscode.commands.executeCommand(Cmd.RefreshProcesses),
      'show-log': () => vscode.commands.executeCommand(Cmd.ShowLog),
    };
    if (ctx.retry) out['retry-nonblocking'] = () => ctx.retry?.({ nonblocking: true });
    for (const [fix, action] of this.registered) out[fix] = () => action.run(ctx);
    return out;
  }
}
