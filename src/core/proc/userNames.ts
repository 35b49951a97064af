// User names for uids, as `ps` shows them: from /etc/passwd (read again only when it changes),
// this process's own user through the system's user database, and any other uid through
// `getent passwd` (directory users: LDAP, sssd), asked once. A uid without a name, or with one
// longer than ps's 64-character column, is shown as its number, like ps does.
import { readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { run } from '../run';

const PS_USER_WIDTH = 64;

let passwd: { mtimeMs: number; names: Map<number, string> } | undefined;
/** Names `getent` answered (undefined: it had none), kept for the life of the process. */
const looked = new Map<number, string | undefined>();

/** uid → name lines of passwd(5) text. */
export function parsePasswd(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of text.split('\n')) {
    const [name, , uid] = line.split(':');
    if (name && uid && /^\d+$/.test(uid) && !names.has(Number(uid))) names.set(Number(uid), name);
  }
  return names;
}

function localNames(): Map<number, string> {
  let mtimeMs = -1;
  try {
    mtimeMs = statSync('/etc/passwd').mtimeMs;
  } catch {
    /* no passwd file */
  }
  if (passwd?.mtimeMs !== mtimeMs) {
    let text = '';
    try {
      text = readFileSync('/etc/passwd', 'utf8');
    } catch {
      /* unreadable: names come from getent */
    }
    passwd = { mtimeMs, names: parsePasswd(text) };
  }
  return passwd.names;
}

function ownName(uid: number): string | undefined {
  if (process.getuid?.() !== uid) return undefined;
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}

/** The names of these uids (a uid without one: its number). */
export async function userNames(uids: Iterable<number>, signal?: AbortSignal): Promise<Map<number, string>> {
  const local = localNames();
  const out = new Map<number, string>();
  const ask: number[] = [];
  for (const uid of new Set(uids)) {
    const name = local.get(uid) ?? (looked.has(uid) ? looked.get(uid) : ownName(uid));
    if (name !== undefined || looked.has(uid) || !Number.isInteger(uid)) out.set(uid, shown(uid, name));
    else ask.push(uid);
  }
  if (ask.length) {
    let found = new Map<number, string>();
    try {
      // Exit code 2: some key was not found; the others are still printed.
      const { stdout } = await run(['getent', 'passwd', ...ask.map(String)], { timeoutMs: 5_000, signal, okExitCodes: [0, 2], maxBytes: 1024 * 1024 });
      found = parsePasswd(stdout);
    } catch (err) {
      if (signal?.aborted) throw err;
      /* no getent here: numbers */
    }
    for (const uid of ask) {
      looked.set(uid, found.get(uid));
      out.set(uid, shown(uid, found.get(uid)));
    }
  }
  return out;
}

function shown(uid: number, name: string | undefined): string {
  if (!Number.isInteger(uid)) return '?';
  return name !== undefined && name.length <= PS_USER_WIDTH ? name : String(uid);
}
