// snag.pathMappings as the user writes it (debugpy's shape) → core PathMappings. No vscode here,
// so plain Node tests it.
import type { PathMapping } from '../../core/model';

/** Drops malformed entries; `${workspaceFolder}` and relative localRoots resolve against workspaceRoot. */
export function resolvePathMappings(raw: unknown, workspaceRoot: string | undefined): PathMapping[] {
  if (!Array.isArray(raw)) return [];
  const out: PathMapping[] = [];
  for (const m of raw) {
    if (!m || typeof m !== 'object') continue;
    const { remoteRoot, localRoot } = m as Record<string, unknown>;
    if (typeof remoteRoot !== 'string' || typeof localRoot !== 'string' || !remoteRoot || !localRoot) continue;
    let local = localRoot.replace(/\$\{workspaceFolder\}/g, workspaceRoot ?? '');
    if (workspaceRoot && !local.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(local)) local = `${workspaceRoot}/${local}`;
    out.push({ remoteRoot, localRoot: local });
  }
  return out;
}
