// A request waiting for a free connection of a urllib3 pool (requests uses one per host): the pool
// was made with block=True (requests: pool_block=True) and every connection is checked out, so
// _get_conn waits in the pool's queue. The request's timeout= covers connect and read, not this wait.
import type { Frame, ThreadStack } from '../model';
import { anchorFrame, isFrame } from './frames';
import { stringValue } from './localsOf';
import type { ThreadRule, ThreadWait } from './rule';

export const POOL_KIND = 'pool-wait';

export const isGetConn = (f: Frame) => isFrame(f, 'urllib3/connectionpool.py', 'HTTPConnectionPool._get_conn');
export const isUrlopen = (f: Frame) => isFrame(f, 'urllib3/connectionpool.py', 'HTTPConnectionPool.urlopen');

/** host:port of the request, from py-spy's --locals (`url: "http://host:port/…"`, `host`, `port`). */
export function poolHost(t: ThreadStack): string | undefined {
  for (const f of t.frames) {
    for (const l of f.locals ?? []) {
      const s = stringValue(l.repr);
      const m = s && /^(https?):\/\/([^/?#]+)/.exec(s);
      if (m) return m[2]!.includes(':') ? m[2] : `${m[2]}:${m[1] === 'https' ? 443 : 80}`;
    }
  }
  return undefined;
}

export const poolWait: ThreadRule = async (t: ThreadStack): Promise<ThreadWait | undefined> => {
  const i = t.frames.findIndex(isGetConn);
  if (i < 0) return undefined;
  // Inside _get_conn: the queue's get (a Condition wait), not yet the connection's own work.
  const inner = t.frames.slice(0, i);
  if (!inner.some((f) => isFrame(f, 'queue.py', 'Queue.get', 'LifoQueue.get') || isFrame(f, 'threading.py', 'Condition.wait'))) return undefined;
  const host = poolHost(t);
  const requests = t.frames.some((f) => /(^|\/)requests\/adapters\.py$/.test(f.file));
  const bound = requests
    ? 'requests passes no pool_timeout, so with pool_block=True it waits for as long as the connections stay out'
    : 'urlopen(…, pool_timeout=…) bounds it';
  return {
    kind: POOL_KIND,
    severity: 'warning',
    phrase: `waits for a free connection of the urllib3 pool${host ? ` for ${host}` : ''}`,
    call: 'a free pool connection',
    detail: `Every connection of the pool is checked out and the pool blocks (block=True${requests ? ', requests: pool_block=True' : ''}) until one comes back. The request's timeout= covers connecting and reading, not this wait; ${bound}.`,
    frame: anchorFrame(t),
  };
};
