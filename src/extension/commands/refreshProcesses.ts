import type { Services } from '../services';

/** The user asked for a fresh look: providers drop the failures they hold back between auto-refreshes. */
export function refreshProcesses(s: Services): () => void {
  return () => {
    for (const p of s.providers.all()) p.forgetFailures?.();
    s.processTree.restart();
  };
}
