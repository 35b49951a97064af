import type { Services } from '../services';

export function refreshProcesses(s: Services): () => void {
  return () => s.processTree.refresh();
}
