// The backend a dump uses, built from the settings. Targets adapt it to themselves
// (Target.backendFor, Target.locatePySpy), so the local search is the only one here.
import { chooseBackend } from '../core/backends/auto';
import type { Backend } from '../core/backends/backend';
import { GdbBackend, gdbLocator } from '../core/backends/gdb';
import { PySpyBackend } from '../core/backends/pyspy';
import { findTool } from '../core/tools';
import type { Settings } from './settings';

export function createBackend(settings: Settings, workspaceRoots: readonly string[]): Backend {
  const pyspy = new PySpyBackend(() => findTool('py-spy', { configured: settings.pyspyPath, workspaceRoots }));
  // snag.dump.backend: py-spy, gdb, or auto (py-spy first, gdb where py-spy cannot see).
  return chooseBackend(settings.backend, pyspy, new GdbBackend(gdbLocator(settings.gdbPath)));
}
