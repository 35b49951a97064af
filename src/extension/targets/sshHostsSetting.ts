// snag.sshHosts as the user writes it — `"prod-1"` or `{"host": "prod-1", "label", "pyspyPath",
// "pathMappings"}` — → core SshHostSettings. No vscode here, so plain Node tests it.
import type { SshHostSettings } from '../../core/targets/ssh';
import { checkSshHost } from '../../core/targets/sshConnection';
import { resolvePathMappings } from '../dumps/pathMappingsSetting';

/** Drops malformed entries and names ssh would read as options; the last entry for a host wins. */
export function resolveSshHosts(raw: unknown, workspaceRoot: string | undefined): SshHostSettings[] {
  if (!Array.isArray(raw)) return [];
  const byHost = new Map<string, SshHostSettings>();
  for (const item of raw) {
    const o = typeof item === 'string' ? { host: item } : item && typeof item === 'object' ? (item as Record<string, unknown>) : undefined;
    const host = typeof o?.host === 'string' ? o.host.trim() : '';
    try {
      checkSshHost(host);
    } catch {
      continue;
    }
    const s: SshHostSettings = { host };
    if (typeof o?.label === 'string' && o.label.trim()) s.label = o.label.trim();
    if (typeof o?.pyspyPath === 'string' && o.pyspyPath.trim()) s.pyspyPath = o.pyspyPath.trim();
    const mappings = resolvePathMappings(o?.pathMappings, workspaceRoot);
    if (mappings.length) s.pathMappings = mappings;
    byHost.delete(host);
    byHost.set(host, s);
  }
  return [...byHost.values()];
}

/** The setting's value with one more host (as a plain string), or unchanged when it is there. */
export function withSshHost(raw: unknown, host: string): unknown[] {
  const list = Array.isArray(raw) ? [...raw] : [];
  const has = list.some((i) => i === host || (i && typeof i === 'object' && (i as { host?: unknown }).host === host));
  return has ? list : [...list, host];
}

/** The setting's value without any entry for this host. */
export function withoutSshHost(raw: unknown, host: string): unknown[] {
  return (Array.isArray(raw) ? raw : []).filter((i) => i !== host && !(i && typeof i === 'object' && (i as { host?: unknown }).host === host));
}
