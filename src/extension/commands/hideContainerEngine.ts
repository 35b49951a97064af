// "Hide This Engine" on an engine that is not running here (its quiet hint row): adds it to
// snag.containers.hiddenEngines, so the Processes view stops mentioning it. Removing it from the
// setting shows it again.
import * as vscode from 'vscode';
import type { EngineKind } from '../../core/targets/containerEngine';
import { readContainerSettings } from '../targets/containerTargetProvider';
import { SECTION } from '../settings';

/** The engine a Processes-view row stands for (engine group rows are `containers:<kind>[@<parent>]`). */
export function engineOfNode(node: unknown): EngineKind | undefined {
  const id = (node as { group?: { id?: unknown } } | undefined)?.group?.id;
  const kind = typeof id === 'string' ? /^containers:(docker|podman)(@|$)/.exec(id)?.[1] : undefined;
  return kind === 'docker' || kind === 'podman' ? kind : undefined;
}

export function hideContainerEngine(): (node?: unknown) => Promise<void> {
  return async (node?: unknown) => {
    const kind = engineOfNode(node);
    if (!kind) return;
    const hidden = readContainerSettings().hidden;
    if (hidden.includes(kind)) return;
    await vscode.workspace.getConfiguration(SECTION).update('containers.hiddenEngines', [...hidden, kind], vscode.ConfigurationTarget.Global);
  };
}
