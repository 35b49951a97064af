// "Hide This Engine" on an engine that is not running here (its quiet hint row): adds it to
// snag.containers.hiddenEngines, so the Processes view stops mentioning it. Removing it from the
// setting shows it again.
import * as vscode from 'vscode';
import type { EngineKind } from '../../core/targets/containerEngine';
import { readContainerSettings } from '../targets/containerTargetProvider';
import type { TargetGroup } from '../targets/targetProviders';
import { SECTION } from '../settings';

/** The engine a Processes-view row stands for: what its engine row says (TargetGroup.engine). */
export function engineOfNode(node: unknown): EngineKind | undefined {
  const kind = (node as { group?: Pick<TargetGroup, 'engine'> } | undefined)?.group?.engine;
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
