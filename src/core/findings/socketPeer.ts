// A socket wait names who it waits for: the remote address and port of the thread's socket, read
// from the process's descriptors and TCP table (one read, only when some thread waits on a socket),
// the host name the program used where its locals show one, and how long the connection has been
// silent where the kernel says (tcp_info). "MainThread waits 41 s for 10.0.3.7:443 (blob.example)
// to answer". When the thread's socket cannot be told among several, the candidates are listed.
import type { ThreadStack } from '../model';
import { endText, type OpenSocket } from '../proc/sockets';
import { isFrame } from './frames';
import { local, stringValue } from './localsOf';
import type { DiagnoseContext, ThreadWait } from './rule';

export interface HostHint {
  host?: string;
  port?: number;
}

const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443, ws: 80, wss: 443, ftp: 21, postgres: 5432, postgresql: 5432, mysql: 3306, redis: 6379 };
const HOST_LOCALS = ['host', 'hostname', 'server_hostname', 'netloc', 'address', 'addr', 'fullurl', 'url'];
const IP = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:]*)$/i;
/** Candidates named in a title before "and N more". */
const LISTED = 3;
/** Sockets named in a detail before "and N more". */
const DETAIL_SOCKETS = 8;

/** `localhost:8080`, `http://blob.example/x`, `("blob.example", 443)` → host and port. */
export function parseHostText(text: string): HostHint | undefined {
  const tuple = /^\(\s*["']([^"']+)["']\s*,\s*(\d+)\s*\)$/.exec(text.trim());
  if (tuple) return { host: tuple[1], port: Number(tuple[2]) };
  const url = /^([a-z][a-z0-9+.-]*):\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/?#]+)(?::(\d+))?/i.exec(text.trim());
  if (url) {
    const port = url[3] ? Number(url[3]) : DEFAULT_PORTS[url[1]!.toLowerCase()];
    return { host: url[2]!.replace(/^\[|\]$/g, ''), ...(port ? { port } : {}) };
  }
  const hostPort = /^(\[[^\]]+\]|[A-Za-z0-9._-]+)(?::(\d+))?$/.exec(text.trim());
  if (hostPort && /[A-Za-z0-9]/.test(hostPort[1]!))
    return { host: hostPort[1]!.replace(/^\[|\]$/g, ''), ...(hostPort[2] ? { port: Number(hostPort[2]) } : {}) };
  return undefined;
}

/** The host (and port) the thread's code connected to, from its frames' locals, innermost first. */
export function hostHint(t: ThreadStack): HostHint {
  const hint: HostHint = {};
  for (const f of t.frames) {
    for (const name of HOST_LOCALS) {
      const l = local(f, name);
      if (!l) continue;
      const text = stringValue(l.repr) ?? (/^\(/.test(l.repr ?? '') ? l.repr : undefined);
      const h = text ? parseHostText(text) : undefined;
      if (!h) continue;
      hint.host ??= h.host;
      if (h.port && hint.port === undefined && (!hint.host || hint.host === h.host)) hint.port = h.port;
    }
    // An explicit port argument beside a host (`create_connection`, `HTTPConnection(host, port)`).
    const port = Number(local(f, 'port')?.repr);
    if (hint.port === undefined && Number.isInteger(port) && port > 0 && port < 65536) hint.port = port;
    if (hint.host && hint.port) break;
  }
  return hint;
}

/** A thread serving a client (a socketserver handler, http.server) reads the server side of a connection. */
function servesClients(t: ThreadStack): boolean {
  return t.frames.some(
    (f) =>
      isFrame(f, 'socketserver.py', 'BaseServer.finish_request', 'BaseRequestHandler.__init__', 'StreamRequestHandler.setup') ||
      /(^|\/)(http\/server|wsgiref\/\w+)\.py$/.test(f.file),
  );
}

/**
 * The sockets the thread may be blocked on: connected (or connecting), nothing waiting to be read,
 * on its side of the connection (client or server), to the port its code asked for when known.
 */
export function candidateSockets(t: ThreadStack, sockets: readonly OpenSocket[], hint: HostHint): OpenSocket[] {
  const listening = new Set(sockets.filter((s) => s.state === 'listen').map((s) => s.local.port));
  let c = sockets.filter((s) => (s.state === 'established' || s.state === 'syn-sent') && s.rxQueue === 0);
  const serving = servesClients(t);
  const side = c.filter((s) => listening.has(s.local.port) === serving);
  if (side.length) c = side;
  if (hint.port !== undefined) {
    const byPort = c.filter((s) => s.remote.port === hint.port);
    if (byPort.length) c = byPort;
  }
  if (hint.host && IP.test(hint.host)) {
    const byHost = c.filter((s) => s.remote.address === hint.host);
    if (byHost.length) c = byHost;
  }
  return c;
}

/** ms the connection has been silent both ways (tcp_info), when known. */
export function silentMs(s: OpenSocket): number | undefined {
  if (s.lastReceiveMs === undefined && s.lastSendMs === undefined) return undefined;
  return Math.min(s.lastReceiveMs ?? Infinity, s.lastSendMs ?? Infinity);
}

/** `41 s`, `3 min 5 s`, `2 h 10 min`. */
export function duration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  return `${Math.floor(s / 3600)} h${Math.floor((s % 3600) / 60) ? ` ${Math.floor((s % 3600) / 60)} min` : ''}`;
}

/** The peer as a title says it: `10.0.3.7:443 (blob.example)`. */
export function peerText(s: OpenSocket, hint: HostHint): string {
  const host = hint.host && !IP.test(hint.host) && (hint.port === undefined || hint.port === s.remote.port) ? ` (${hint.host})` : '';
  return `${endText(s.remote)}${host}`;
}

/**
 * The socket wait with its peer named, when the process's sockets tell it; else the wait as it was.
 * `t`'s frames carry locals where they could be read (the host name comes from them).
 */
export async function withPeer(t: ThreadStack, w: ThreadWait, ctx: DiagnoseContext): Promise<ThreadWait> {
  if (w.kind !== 'socket-wait' || !ctx.process) return w;
  const sockets = await ctx.process.sockets().catch(() => undefined);
  if (!sockets?.length) return w;
  const first = candidateSockets(t, sockets, {});
  if (first.length === 0) return w;
  const hint = hostHint(t);
  // The kernel's word on the thread's descriptor beats any guess from ports and queues.
  const fd = t.nativeId !== undefined ? ctx.process.blockedFd?.(t.nativeId) : undefined;
  const blocked = fd === undefined ? undefined : sockets.find((s) => s.fd === fd);
  const chosen = blocked ? [blocked] : candidateSockets(t, sockets, hint);
  // "waits in an SSL read of an HTTP response with no timeout": the call goes to the detail, the timeout stays.
  const timeout = /with no timeout/.test(w.phrase) ? ' with no timeout' : /a timeout is set/.test(w.phrase) ? ' (a timeout is set)' : '';
  const what = w.phrase.replace(/^waits in /, '').replace(/ with no timeout| \(a timeout is set\)/, '');
  const serving = servesClients(t);
  const verb = serving ? 'to send' : 'to answer';
  if (chosen.length === 1) {
    const s = chosen[0]!;
    const quiet = silentMs(s);
    const since = quiet !== undefined && quiet >= 1000 ? `${duration(quiet)} ` : '';
    const peer = peerText(s, hint);
    const connecting = s.state === 'syn-sent';
    const phrase = connecting
      ? `waits ${since}for ${peer} to accept the connection${timeout}`
      : `waits ${since}for ${serving ? 'client ' : ''}${peer} ${verb}${timeout}`;
    const facts = [
      `It waits in ${what}; its socket (fd ${s.fd}) is ${connecting ? 'connecting' : 'connected'} to ${peer} from ${endText(s.local)}`,
      ...(since ? [`nothing has been sent or received on it for ${duration(quiet!)}`] : []),
    ];
    return { ...w, phrase, call: `${w.call} from ${peer}`, detail: `${facts.join('; ')}. ${w.detail}` };
  }
  // Peers once each (a pool holds many connections to one server); the sockets listed up to a few.
  const peers = [...new Set(chosen.map((s) => endText(s.remote)))];
  const listed = peers.slice(0, LISTED);
  const more = peers.length > LISTED ? ` and ${peers.length - LISTED} more` : '';
  const phrase =
    peers.length === 1
      ? `waits for ${peers[0]} ${verb}${timeout} on one of ${chosen.length} connections`
      : `waits for one of ${listed.join(', ')}${more} ${verb}${timeout}`;
  const shown = chosen.slice(0, DETAIL_SOCKETS).map((s) => `fd ${s.fd} to ${endText(s.remote)}`);
  const rest = chosen.length > DETAIL_SOCKETS ? ` and ${chosen.length - DETAIL_SOCKETS} more` : '';
  const detail = `It waits in ${what}. The process has ${chosen.length} connected sockets with nothing to read (${shown.join(', ')}${rest}); which one this thread reads cannot be told from here. ${w.detail}`;
  return { ...w, phrase, detail };
}
