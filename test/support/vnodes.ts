// Reading the Sampling page's VNode trees (src/webview/sampling/vnode.ts) in tests, as the DOM's
// textContent and querySelectorAll would.
import type { VElement, VNode } from '../../src/webview/sampling/vnode';

export const textOf = (n: VNode): string => (typeof n === 'string' ? n : n.kids.map(textOf).join(''));

function* elements(n: VNode): Generator<VElement> {
  if (typeof n === 'string') return;
  yield n;
  for (const k of n.kids) yield* elements(k);
}

/** Every element of the trees, depth first. */
export const allElements = (nodes: VNode[]): VElement[] => nodes.flatMap((n) => [...elements(n)]);

export const byClass = (nodes: VNode[], cls: string): VElement[] => allElements(nodes).filter((e) => (e.attrs.class ?? '').split(' ').includes(cls));
