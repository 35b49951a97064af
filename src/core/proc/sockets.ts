// A process's TCP sockets as the kernel lists them: its descriptors that are sockets
// (`/proc/PID/fd/N -> socket:[INODE]`), the rows of `/proc/PID/net/tcp` and `tcp6` (the process's
// network namespace) with those inodes, and, where `ss` can tell, how long each connection has
// been silent (tcp_info's lastsnd/lastrcv). Parsers take text, so this machine's /proc and a
// remote one (through a runner) are read alike.

export type TcpState =
  'established' | 'syn-sent' | 'syn-recv' | 'fin-wait1' | 'fin-wait2' | 'time-wait' | 'close' | 'close-wait' | 'last-ack' | 'listen' | 'closing' | 'unknown';

const STATES: Record<string, TcpState> = {
  '01': 'established',
  '02': 'syn-sent',
  '03': 'syn-recv',
  '04': 'fin-wait1',
  '05': 'fin-wait2',
  '06': 'time-wait',
  '07': 'close',
  '08': 'close-wait',
  '09': 'last-ack',
  '0A': 'listen',
  '0B': 'closing',
};

export interface SocketEnd {
  /** Dotted IPv4 (also for IPv4-mapped IPv6), else IPv6 text (`::1`). */
  address: string;
  port: number;
}

export interface OpenSocket {
  fd: number;
  inode: number;
  family: 'ipv4' | 'ipv6';
  local: SocketEnd;
  remote: SocketEnd;
  state: TcpState;
  /** Bytes received and not yet read by the process. */
  rxQueue: number;
  /** Bytes sent and not yet acknowledged by the peer. */
  txQueue: number;
  /** ms since the connection last received / sent data (tcp_info via `ss`), when known. */
  lastReceiveMs?: number;
  lastSendMs?: number;
}

/** `socket:[20248]` descriptors of an `ls -l /proc/PID/fd/` listing, or of `fd N INODE` lines. */
export function parseSocketFds(text: string): Map<number, number> {
  const byInode = new Map<number, number>();
  for (const line of text.split('\n')) {
    const m = /(?:^fd (\d+) (\d+)$)|(?: (\d+) -> socket:\[(\d+)\]$)/.exec(line.trimEnd());
    if (!m) continue;
    const fd = Number(m[1] ?? m[3]);
    const inode = Number(m[2] ?? m[4]);
    if (Number.isSafeInteger(fd) && Number.isSafeInteger(inode) && inode > 0 && !byInode.has(inode)) byInode.set(inode, fd);
  }
  return byInode;
}

/** `0100007F` → 127.0.0.1; 32 hex digits → IPv6 (each 32-bit word is in the host's byte order: little-endian here). */
function decodeAddress(hex: string): { address: string; family: 'ipv4' | 'ipv6' } | undefined {
  const word = (w: string) => w.match(/../g)!.reverse().join('');
  if (/^[0-9A-F]{8}$/i.test(hex)) {
    const b = word(hex)
      .match(/../g)!
      .map((x) => parseInt(x, 16));
    return { address: b.join('.'), family: 'ipv4' };
  }
  if (!/^[0-9A-F]{32}$/i.test(hex)) return undefined;
  const bytes = hex
    .match(/.{8}/g)!
    .map(word)
    .join('')
    .match(/../g)!
    .map((x) => parseInt(x, 16));
  // IPv4-mapped (::ffff:a.b.c.d): the IPv4 address is what the program connected to.
  if (bytes.slice(0, 10).every((x) => x === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return { address: bytes.slice(12).join('.'), family: 'ipv6' };
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  // The longest run of zero groups becomes `::`.
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.len && j - i > 1) best = { at: i, len: j - i };
    i = j;
  }
  const text = best.at < 0 ? groups.join(':') : `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.len).join(':')}`;
  return { address: text, family: 'ipv6' };
}

function end(text: string): (SocketEnd & { family: 'ipv4' | 'ipv6' }) | undefined {
  const [hex, portHex] = text.split(':');
  const a = hex && portHex ? decodeAddress(hex) : undefined;
  const port = parseInt(portHex ?? '', 16);
  return a && Number.isInteger(port) ? { ...a, port } : undefined;
}

/**
 * Rows of `/proc/PID/net/tcp` / `tcp6` (optionally each prefixed by `tcp `/`tcp6 `) for the given
 * socket inodes (inode → fd). Other rows (other processes' sockets in the namespace) are skipped.
 */
export function parseTcpTable(text: string, fds: ReadonlyMap<number, number>): OpenSocket[] {
  const out: OpenSocket[] = [];
  const seen = new Set<number>();
  for (const raw of text.split('\n')) {
    const cols = raw.trim().split(/\s+/);
    if (cols[0] === 'tcp' || cols[0] === 'tcp6') cols.shift();
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode …
    if (cols.length < 10 || !/^\d+:$/.test(cols[0]!)) continue;
    const inode = Number(cols[9]);
    const fd = fds.get(inode);
    if (fd === undefined || seen.has(inode)) continue;
    const local = end(cols[1]!);
    const remote = end(cols[2]!);
    const [tx, rx] = cols[4]!.split(':').map((x) => parseInt(x, 16));
    if (!local || !remote) continue;
    seen.add(inode);
    out.push({
      fd,
      inode,
      family: local.family,
      local: { address: local.address, port: local.port },
      remote: { address: remote.address, port: remote.port },
      state: STATES[cols[3]!.toUpperCase()] ?? 'unknown',
      rxQueue: Number.isFinite(rx) ? rx! : 0,
      txQueue: Number.isFinite(tx) ? tx! : 0,
    });
  }
  return out.sort((a, b) => a.fd - b.fd);
}

/** `ss -t -i -n -e` output → inode → ms since the last receive / send. */
export function parseSsTimes(text: string): Map<number, { lastReceiveMs?: number; lastSendMs?: number }> {
  const out = new Map<number, { lastReceiveMs?: number; lastSendMs?: number }>();
  let inode: number | undefined;
  for (const line of text.split('\n')) {
    const ino = /\bino:(\d+)\b/.exec(line);
    if (ino) inode = Number(ino[1]);
    else if (/^\S/.test(line)) inode = undefined; // a socket row without an inode: not ours
    if (inode === undefined || inode === 0) continue;
    const rcv = /\blastrcv:(\d+)\b/.exec(line);
    const snd = /\blastsnd:(\d+)\b/.exec(line);
    if (!rcv && !snd) continue;
    const t = out.get(inode) ?? {};
    if (rcv) t.lastReceiveMs = Number(rcv[1]);
    if (snd) t.lastSendMs = Number(snd[1]);
    out.set(inode, t);
  }
  return out;
}

/** `ss` listing every TCP socket of its network namespace with its inode and tcp_info. */
export const SS_TABLE_ARGV: readonly string[] = ['ss', '-t', '-a', '-n', '-i', '-e'];

const SS_STATES: Record<string, TcpState> = {
  ESTAB: 'established',
  'SYN-SENT': 'syn-sent',
  'SYN-RECV': 'syn-recv',
  'FIN-WAIT-1': 'fin-wait1',
  'FIN-WAIT-2': 'fin-wait2',
  'TIME-WAIT': 'time-wait',
  UNCONN: 'close',
  CLOSE: 'close',
  'CLOSE-WAIT': 'close-wait',
  'LAST-ACK': 'last-ack',
  LISTEN: 'listen',
  CLOSING: 'closing',
};

/**
 * `127.0.0.1:80`, `[::1]:80`, `[::ffff:10.0.0.1]:80` (IPv4-mapped: the IPv4 address, as the
 * /proc reading gives it), `*:80` (the dual-stack wildcard), `0.0.0.0:*`; a `%iface` scope is dropped.
 */
function ssEnd(text: string): (SocketEnd & { family: 'ipv4' | 'ipv6' }) | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d+|\*)$/.exec(text);
  if (!m) return undefined;
  const port = m[3] === '*' ? 0 : Number(m[3]);
  if (m[1] !== undefined) {
    const address = m[1].replace(/%.*$/, '');
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    return { address: mapped ? mapped[1]! : address, family: 'ipv6', port };
  }
  const address = m[2]!.replace(/%.*$/, '');
  if (address === '*') return { address: '::', family: 'ipv6', port };
  return address.includes(':') ? { address, family: 'ipv6', port } : { address, family: 'ipv4', port };
}

/**
 * `ss -t -a -n -i -e` output → the sockets with these inodes (inode → fd), as parseTcpTable reads
 * them from /proc, with how long each has been silent: one read of the namespace's table instead of
 * /proc's and then `ss` again (each walks the kernel's whole TCP hash: several ms apiece).
 */
export function parseSsTable(text: string, fds: ReadonlyMap<number, number>): OpenSocket[] {
  const out: OpenSocket[] = [];
  let current: OpenSocket | undefined;
  const seen = new Set<number>();
  for (const line of text.split('\n')) {
    if (/^\s/.test(line)) {
      // The tcp_info line of the row above.
      if (!current) continue;
      const rcv = /\blastrcv:(\d+)\b/.exec(line);
      const snd = /\blastsnd:(\d+)\b/.exec(line);
      if (rcv) current.lastReceiveMs = Number(rcv[1]);
      if (snd) current.lastSendMs = Number(snd[1]);
      continue;
    }
    current = undefined;
    const cols = line.trim().split(/\s+/);
    const state = SS_STATES[cols[0] ?? ''];
    const inode = Number(/\bino:(\d+)\b/.exec(line)?.[1]);
    const fd = fds.get(inode);
    if (!state || fd === undefined || seen.has(inode)) continue;
    const local = ssEnd(cols[3] ?? '');
    const remote = ssEnd(cols[4] ?? '');
    if (!local || !remote) continue;
    current = {
      fd,
      inode,
      family: local.family,
      local: { address: local.address, port: local.port },
      remote: { address: remote.address, port: remote.port },
      state,
      rxQueue: Number(cols[1]) || 0,
      // A listening socket's Send-Q is its backlog in ss, not bytes (/proc says 0).
      txQueue: state === 'listen' ? 0 : Number(cols[2]) || 0,
    };
    seen.add(inode);
    out.push(current);
  }
  return out.sort((a, b) => a.fd - b.fd);
}

/** `ss` arguments that list only these sockets (by their local ports), with their tcp_info. */
export function ssArgv(sockets: readonly OpenSocket[]): string[] {
  const ports = [...new Set(sockets.map((s) => s.local.port))].filter((p) => Number.isInteger(p) && p > 0 && p < 65536);
  const filter = ports.flatMap((p, i) => [...(i ? ['or'] : []), 'sport', '=', `:${p}`]);
  return ['ss', '-t', '-i', '-n', '-e', ...filter];
}

/** `10.0.3.7:443`, `[::1]:8080`. */
export function endText(e: SocketEnd): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}
