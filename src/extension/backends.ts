// The backends a dump or a sampling session uses, built from the settings. Targets adapt them to
// themselves (Target.waysIn, Target.locatePySpy), so the local search is the only one here.
import { chooseBackend } from '../core/backends/auto';
import type { Backend } from '../core/backends/backend';
import { GdbBackend, gdbLocator } from '../core/backends/gdb';
import { PySpyBackend } from '../core/backends/pyspy';
import { findTool } from '../core/tools';
import { trustedVenvRoots, type Settings } from './settings';

export function createBackends(settings: Settings): { pyspy: PySpyBackend; gdb: GdbBackend } {
  // The workspace's venvs only once it is trusted, asked at each lookup (trust may be granted meanwhile).
  const pyspy = new PySpyBackend(() => findTool('py-spy', { configured: settings.pyspyPath, trustedVenvRoots: trustedVenvRoots() }));
  return { pyspy, gdb: new GdbBackend(gdbLocator(settings.gdbPath)) };
}

export function createBackend(settings: Settings): Backend {
  const { pyspy, gdb } = createBackends(settings);
  // snag.dump.backend: py-spy, gdb, or auto (py-spy first, gdb where py-spy cannot see).
  return chooseBackend(settings.backend, pyspy, gdb);
}
