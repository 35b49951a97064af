import type { Services } from '../services';
import { setPythonOnly } from '../settings';

/** Flips snag.processes.pythonOnly; the view follows the setting. */
export function togglePythonOnly(s: Services): () => Promise<void> {
  return () => setPythonOnly(!s.processTree.showsPythonOnly);
}
