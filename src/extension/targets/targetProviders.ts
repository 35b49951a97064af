// How targets reach the Processes view. A provider contributes top-level groups (Local; a Docker
// engine; an SSH host); a group can nest further groups (engine → containers, host → containers)
// and, when it stands for a core Target, lists that target's processes under them. The view,
// the "Attach to Process…" picker and every process command work from these nodes only, so a
// new kind of target is one provider registered in extension.ts and nothing else.
import * as vscode from 'vscode';
import type { ProcessInfo } from '../../core/model';
import type { Target } from '../../core/targets/target';
import type { EngineKind } from '../../core/targets/containerEngine';

export interface TargetGroup {
  /** Unique in the whole tree and stable across refreshes (keeps expansion): `local`, `docker:engine`, `ssh:prod-1`. */
  readonly id: string;
  readonly label: string;
  readonly description?: string;
  readonly tooltip?: string | vscode.MarkdownString;
  /** A codicon id (`vm`, `server`, `package`, …). */
  readonly icon?: string;
  /** What menus match with `viewItem =~ /…/`: `snagTarget`, `dockerEngine`, `container`, `sshHost`. */
  readonly contextValue?: string;
  /** When set, the group lists this target's processes (parent → children) after its nested groups. */
  readonly target?: Target;
  /** The ssh host a host row stands for, for its commands (Reconnect, Remove, Open SSH Terminal). */
  readonly sshHost?: string;
  /** The container engine an engine row stands for, for Hide This Engine. */
  readonly engine?: EngineKind;
  /** Nested groups, asked for when the group is expanded or refreshed. Throw a SnagError to show why not. */
  children?(signal: AbortSignal): Promise<readonly TargetGroup[]>;
  /** Expanded when first shown. Default: top-level groups expanded, nested ones collapsed. */
  readonly expanded?: boolean;
  /** Shown in place of an empty list ("No containers running"). */
  readonly emptyMessage?: string;
  /**
   * A quiet note shown as the group's only row, in place of children and processes (an engine that
   * is not running here: how to start it). Such a group offers nothing to pick, and no error.
   */
  readonly hint?: string;
}

export interface TargetProvider {
  /** Stable id (`local`, `docker`, `ssh`). Groups appear in registration order. */
  readonly id: string;
  /** The top-level groups (may change: hosts added in settings, an engine starting). */
  groups(signal: AbortSignal): Promise<readonly TargetGroup[]>;
  /** Fires when this provider's groups changed; the view refreshes. */
  readonly onDidChange?: vscode.Event<void>;
  /** Drops what the provider remembers between rounds (the user asked for a fresh look). */
  forgetFailures?(): void;
}

/** What a process row hands to commands (dump, sampling, …): the process and where it lives. */
export interface ProcessRef {
  readonly target: Target;
  readonly process: ProcessInfo;
  /** The groups above the process, outermost first (`Local`; `Docker`, `worker`), for labels. */
  readonly path?: readonly string[];
}

export class TargetProviders implements vscode.Disposable {
  private readonly providers: TargetProvider[] = [];
  private readonly subscriptions = new Map<TargetProvider, vscode.Disposable | undefined>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when a provider is added, removed or reports a change. */
  readonly onDidChange = this.changed.event;

  register(provider: TargetProvider): vscode.Disposable {
    this.providers.push(provider);
    this.subscriptions.set(
      provider,
      provider.onDidChange?.(() => this.changed.fire()),
    );
    this.changed.fire();
    return new vscode.Disposable(() => {
      const i = this.providers.indexOf(provider);
      if (i >= 0) this.providers.splice(i, 1);
      this.subscriptions.get(provider)?.dispose();
      this.subscriptions.delete(provider);
      this.changed.fire();
    });
  }

  all(): readonly TargetProvider[] {
    return this.providers;
  }

  /**
   * Every target reachable from the providers, with the group labels above it (for the picker).
   * Groups that fail are reported through onError and skipped, so one dead host hides nothing else.
   */
  async targets(signal: AbortSignal, onError: (group: string, err: unknown) => void, maxDepth = 4): Promise<{ target: Target; path: string[] }[]> {
    type Found = { target: Target; path: string[] }[];
    const walk = async (groups: readonly TargetGroup[], path: string[], depth: number): Promise<Found> => {
      const found = await Promise.all(
        groups.map(async (g): Promise<Found> => {
          const here = [...path, g.label];
          const own: Found = g.target ? [{ target: g.target, path: here }] : [];
          if (!g.children || depth >= maxDepth) return own;
          try {
            return [...own, ...(await walk(await g.children(signal), here, depth + 1))];
          } catch (err) {
            onError(here.join(' › '), err);
            return own;
          }
        }),
      );
      return found.flat();
    };
    const perProvider = await Promise.all(
      this.providers.map(async (p): Promise<Found> => {
        try {
          return await walk(await p.groups(signal), [], 0);
        } catch (err) {
          onError(p.id, err);
          return [];
        }
      }),
    );
    return perProvider.flat();
  }

  dispose(): void {
    for (const d of this.subscriptions.values()) d?.dispose();
    this.subscriptions.clear();
    this.providers.length = 0;
    this.changed.dispose();
  }
}
