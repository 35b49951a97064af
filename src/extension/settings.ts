// Typed access to the snag.* settings. Executable paths are restrictedConfigurations: in an
// untrusted workspace VS Code hands back only the user's own value for them.
import * as vscode from 'vscode';
import { isBackendChoice, type BackendChoice } from '../core/backends/auto';
import type { DumpOptions, PathMapping } from '../core/model';
import { DEFAULT_STUCK_AFTER_SECONDS } from '../core/sampling/sampler';
import { clampRate, DEFAULT_RATE_HZ } from '../core/sampling/sampleSource';
import { resolvePathMappings } from './dumps/pathMappingsSetting';

export const SECTION = 'snag';

export interface Settings {
  pyspyPath?: string;
  gdbPath?: string;
  dump: Required<DumpOptions>;
  /** snag.dump.backend: py-spy, gdb, or auto (py-spy, then gdb where it sees more). */
  backend: BackendChoice;
  refreshIntervalSeconds: number;
  pythonOnly: boolean;
  pathMappings: PathMapping[];
  historySize: number;
  sampling: {
    rateHz: number;
    stuckAfterSeconds: number;
    nonblocking: boolean;
    /** 0: until stopped. */
    durationSeconds: number;
  };
}

function nonEmpty(s: string | undefined): string | undefined {
  return s && s.trim() ? s.trim() : undefined;
}

export function workspaceRoots(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
}

/**
 * The workspace folders whose own venvs may supply py-spy: none until the workspace is trusted (a
 * repository's `.venv/bin/py-spy` is a program it names). Asked at every lookup, so granting trust
 * takes effect at the next dump.
 */
export function trustedVenvRoots(): string[] {
  return vscode.workspace.isTrusted ? workspaceRoots() : [];
}

function backendChoice(s: string | undefined): BackendChoice {
  return s && isBackendChoice(s) ? s : 'auto';
}

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration(SECTION);
  return {
    pyspyPath: nonEmpty(c.get<string>('pyspyPath')),
    gdbPath: nonEmpty(c.get<string>('gdbPath')),
    dump: {
      native: c.get<boolean>('dump.native', false),
      locals: c.get<boolean>('dump.locals', false),
      nonblocking: c.get<boolean>('dump.nonblocking', false),
    },
    backend: backendChoice(c.get<string>('dump.backend')),
    refreshIntervalSeconds: Math.max(0, c.get<number>('processes.refreshIntervalSeconds', 5)),
    pythonOnly: c.get<boolean>('processes.pythonOnly', true),
    pathMappings: resolvePathMappings(c.get('pathMappings'), workspaceRoots()[0]),
    historySize: Math.max(1, Math.min(100, c.get<number>('history.size', 10))),
    sampling: {
      rateHz: clampRate(c.get<number>('sampling.rateHz', DEFAULT_RATE_HZ)),
      stuckAfterSeconds: Math.max(1, c.get<number>('sampling.stuckAfterSeconds', DEFAULT_STUCK_AFTER_SECONDS)),
      nonblocking: c.get<boolean>('sampling.nonblocking', false),
      durationSeconds: Math.max(0, c.get<number>('sampling.durationSeconds', 0)),
    },
  };
}

/** Persists the Python-only filter where the user keeps it (workspace if set there, else user). */
export async function setPythonOnly(value: boolean): Promise<void> {
  const c = vscode.workspace.getConfiguration(SECTION);
  const where = c.inspect('processes.pythonOnly')?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await c.update('processes.pythonOnly', value, where);
}

export function affectsSnag(e: vscode.ConfigurationChangeEvent, key?: string): boolean {
  return e.affectsConfiguration(key ? `${SECTION}.${key}` : SECTION);
}
