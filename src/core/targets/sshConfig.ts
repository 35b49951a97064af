// The hosts a user can pick: `Host` names from their ssh_config (following `Include`), without
// patterns (`*`, `?`, `!neg`), since only concrete names can be connected to. Everything else in
// the file (users, ports, ProxyJump, keys) stays ssh's business: Snag passes the alias to ssh.
import { readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

const MAX_INCLUDE_DEPTH = 16; // ssh's own limit

/** Splits a config line into keyword and arguments (`Key value`, `Key=value`, "quoted args"). */
export function splitConfigLine(line: string): { keyword: string; args: string[] } | undefined {
  const trimmed = line.trim();
  if (!trimmed || trimmed.startsWith('#')) return undefined;
  const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(trimmed);
  const keyword = (m ? m[1]! : trimmed).toLowerCase();
  const rest = m ? m[2]! : '';
  const args: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  let a: RegExpExecArray | null;
  while ((a = re.exec(rest))) {
    if (a[2]?.startsWith('#')) break; // trailing comment
    args.push(a[1] ?? a[2]!);
  }
  return { keyword, args };
}

/** Host names declared in one file's text, and the Include arguments in the order they appear. */
export function parseSshConfig(text: string): { hosts: string[]; includes: string[]; order: ({ host: string } | { include: string })[] } {
  const hosts: string[] = [];
  const includes: string[] = [];
  const order: ({ host: string } | { include: string })[] = [];
  for (const line of text.split(/\r?\n/)) {
    const parsed = splitConfigLine(line);
    if (!parsed) continue;
    if (parsed.keyword === 'host') {
      for (const h of parsed.args) {
        if (/[*?!]/.test(h) || h.startsWith('-')) continue;
        hosts.push(h);
        order.push({ host: h });
      }
    } else if (parsed.keyword === 'include') {
      for (const inc of parsed.args) {
        includes.push(inc);
        order.push({ include: inc });
      }
    }
  }
  return { hosts, includes, order };
}

function globToRegExp(segment: string): RegExp {
  return new RegExp(
    `^${segment
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
}

/** Expands `*` and `?` in any path segment (Include allows glob patterns), sorted like glob(3). */
async function expandGlob(pattern: string): Promise<string[]> {
  const parts = pattern.split('/');
  let paths = [parts[0] === '' ? '/' : parts[0]!];
  for (const part of parts.slice(1)) {
    if (!part) continue;
    if (!/[*?]/.test(part)) {
      paths = paths.map((p) => join(p, part));
      continue;
    }
    const re = globToRegExp(part);
    const next: string[] = [];
    for (const p of paths) {
      try {
        for (const e of (await readdir(p)).sort()) if (re.test(e) && !(e.startsWith('.') && !part.startsWith('.'))) next.push(join(p, e));
      } catch {
        /* missing folder: no matches, as in ssh */
      }
    }
    paths = next;
  }
  return paths;
}

/**
 * Concrete Host names from an ssh_config file and the files it includes, in file order, without
 * duplicates. Relative Include paths are resolved against ~/.ssh, as ssh does for user configs.
 */
export async function readSshConfigHosts(file = join(homedir(), '.ssh', 'config'), opts: { home?: string } = {}): Promise<string[]> {
  const home = opts.home ?? homedir();
  const seen = new Set<string>();
  const out: string[] = [];
  const visit = async (path: string, depth: number): Promise<void> => {
    if (depth > MAX_INCLUDE_DEPTH) return;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      return; // a missing file is not an error for ssh either
    }
    for (const item of parseSshConfig(text).order) {
      if ('host' in item) {
        if (!seen.has(item.host)) {
          seen.add(item.host);
          out.push(item.host);
        }
        continue;
      }
      let inc = item.include.replace(/^~(?=\/|$)/, home);
      if (!isAbsolute(inc)) inc = join(home, '.ssh', inc);
      for (const p of await expandGlob(inc)) await visit(p, depth + 1);
    }
  };
  await visit(file, 0);
  return out;
}
