// The Processes view's text filter over a parent → children forest: a process stays when it or
// any descendant matches, so a matching child keeps its parents for context. No vscode here.
import type { ProcessNode } from '../../core/format/processTree';
import type { ProcessInfo } from '../../core/model';

export function processMatches(p: ProcessInfo, filter: string): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const hay = `${p.name} ${p.command} ${p.pid} ${p.user}`.toLowerCase();
  return words.every((w) => hay.includes(w));
}

export function filterProcessForest(nodes: readonly ProcessNode[], filter: string): ProcessNode[] {
  if (!filter.trim()) return [...nodes];
  const out: ProcessNode[] = [];
  for (const n of nodes) {
    const children = filterProcessForest(n.children, filter);
    if (children.length || processMatches(n.process, filter)) out.push({ process: n.process, children });
  }
  return out;
}
