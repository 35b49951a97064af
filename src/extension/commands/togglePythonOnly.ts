import type { Services } from '../services';
import { setPythonOnly } from '../settings';

/**
 * Flips snag.processes.pythonOnly. The view follows at once (not only when the setting's change
 * arrives), so a second toggle right after the first flips it back.
 */
export function togglePythonOnly(s: Services): () => Promise<void> {
  return () => {
    const next = !s.processTree.showsPythonOnly;
    s.processTree.setPythonOnly(next);
    return setPythonOnly(next);
  };
}
