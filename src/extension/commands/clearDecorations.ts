import type { Services } from '../services';

export function clearDecorations(s: Services): () => void {
  return () => s.decorations.clear();
}
