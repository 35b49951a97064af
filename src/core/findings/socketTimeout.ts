// A raw socket's timeout as the user's code shows it: `sock.recv(1024)` on a socket the code made
// with socket.socket(), create_connection() or accept(), in files on the stack that never call
// settimeout(), setdefaulttimeout() or pass create_connection() a timeout, has none. The fact is in
// the code, so the finding says "no timeout" rather than "if this socket has no timeout".
import type { Frame, ThreadStack } from '../model';
import { callSite, clipName } from './frames';
import type { DiagnoseContext } from './rule';

const RECV = /([A-Za-z_][\w.]*)\.(recv|recv_into|recvfrom|recvfrom_into|recvmsg|makefile)\s*\(/;
/** `name = socket.socket(…)`, `name = socket.create_connection(…)`, `name, addr = x.accept()`. */
const MADE = /^\s*([A-Za-z_][\w.]*)\s*(?:,\s*[A-Za-z_]\w*\s*)?=\s*(?:[A-Za-z_][\w.]*\.)?(socket|create_connection|socketpair|accept)\s*\((.*)$/;
/** Anything that gives a socket a timeout or makes it non-blocking. */
const SETS_TIMEOUT = /\.(settimeout|setblocking)\s*\(|\bsetdefaulttimeout\s*\(/;

interface Made {
  name: string;
  how: string;
  frame: Frame;
  line: number;
}

export interface SocketTimeoutFact {
  timeout: 'none';
  how: string;
  fix: string;
}

/**
 * "none" when the thread reads a socket (`X.recv(…)` on its line) that a user file on the stack
 * made, and none of those files ever sets a timeout; undefined wherever the code does not tell
 * (a socket handed in from elsewhere, a settimeout() anywhere in those files).
 */
export async function rawSocketTimeout(t: ThreadStack, ctx: DiagnoseContext): Promise<SocketTimeoutFact | undefined> {
  const caller = callSite(t);
  if (!caller?.isUserCode) return undefined;
  const line = await ctx.source.line(caller);
  const recv = line ? RECV.exec(line.replace(/#.*$/, '')) : undefined;
  if (!recv) return undefined;
  const receiver = recv[1]!;
  const made: Made[] = [];
  const seen = new Set<string>();
  for (const f of t.frames) {
    if (f.native || !f.isUserCode) continue;
    const key = f.localFile ?? f.file;
    if (seen.has(key)) continue;
    seen.add(key);
    const lines = await ctx.source.lines(f);
    if (!lines) return undefined; // a file on the way we cannot read: the code does not tell
    const code = lines.map((l) => l.replace(/#.*$/, ''));
    if (code.some((l) => SETS_TIMEOUT.test(l))) return undefined;
    code.forEach((l, i) => {
      const m = MADE.exec(l);
      if (!m) return;
      // create_connection(address, timeout) or (…, timeout=…) sets one.
      if (m[2] === 'create_connection' && (/\btimeout\s*=/.test(m[3]!) || /^\s*(\([^)]*\)|[^,()]+)\s*,\s*[^,)\s]/.test(m[3]!))) return;
      const name = m[1]!;
      // A listening socket is not the one read from.
      if (m[2] === 'socket' && code.some((x) => new RegExp(`\\b${name.replace(/\./g, '\\.')}\\.(listen|bind)\\s*\\(`).test(x))) return;
      made.push({ name, how: m[2] === 'accept' ? 'accept()' : m[2] === 'socket' ? 'socket.socket()' : `socket.${m[2]}()`, frame: f, line: i + 1 });
    });
  }
  if (made.length === 0) return undefined;
  // The socket by its name on the read's line, else by a name the callers' lines pass down (`fetch_reply(client)`).
  const passed = new Set<string>();
  for (const f of t.frames.slice(t.frames.indexOf(caller) + 1)) {
    if (f.native || !f.isUserCode) continue;
    const l = (await ctx.source.line(f))?.replace(/#.*$/, '') ?? '';
    for (const m of l.matchAll(/[(,]\s*([A-Za-z_][\w.]*)\s*(?=[,)])/g)) passed.add(m[1]!);
  }
  const byPass = made.filter((m) => passed.has(m.name));
  const pick = made.find((m) => m.name === receiver) ?? (byPass.length === 1 ? byPass[0] : made.length === 1 ? made[0] : undefined);
  if (!pick) return undefined;
  const file = pick.frame.file.slice(pick.frame.file.replace(/\\/g, '/').lastIndexOf('/') + 1) || pick.frame.file;
  const at = `${clipName(file, 60)}:${pick.line}`;
  const fix =
    pick.how === 'socket.create_connection()'
      ? `Pass a timeout to \`socket.create_connection(…, timeout=…)\` at ${at}.`
      : `Call \`${pick.name}.settimeout(…)\` after ${pick.how} at ${at}.`;
  return {
    timeout: 'none',
    how: `${pick.name} comes from ${pick.how} at ${at}, and no settimeout(), setdefaulttimeout() or create_connection(…, timeout=…) is on the way`,
    fix,
  };
}
