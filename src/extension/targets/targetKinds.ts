// Every kind of target the Processes view shows, one line each, in the view's order: its provider
// (a TargetProvider, see targetProviders.ts). extension.ts registers them all from here; the CLI's
// own list of kinds is core's (src/core/kinds/registry.ts), which cannot import vscode.
import type * as vscode from 'vscode';
import { createContainerTargetProvider } from './containerTargetProvider';
import { createLocalTargetProvider } from './localTargetProvider';
import { SshHosts } from './sshTargetProvider';
import type { TargetProvider } from './targetProviders';

export function createTargetKinds() {
  return {
    local: createLocalTargetProvider(),
    containers: createContainerTargetProvider(),
    ssh: new SshHosts(),
  } satisfies Record<string, TargetProvider>;
}

/** A provider that holds something to let go of (a file watcher, connections). */
export function isDisposable(p: TargetProvider): p is TargetProvider & vscode.Disposable {
  return typeof (p as Partial<vscode.Disposable>).dispose === 'function';
}
