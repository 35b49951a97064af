// Who holds the connections a pool wait waits for: threads inside a request of the same pool
// (past _get_conn: connecting, sending, reading the response). With --locals the pool is matched by
// address; without, any urllib3 request in flight counts. No thread in a request: the connections
// are held by responses nobody read to the end or closed (stream=True, preload_content=False).
import type { Finding, ThreadStack } from '../model';
import { anchorFrame, findingFrame, where } from './frames';
import { selfAddress } from './localsOf';
import { someNames } from '../stacks/threadGroups';
import type { DumpRule, DumpRuleResult } from './rule';
import { isGetConn, isUrlopen, POOL_KIND } from './poolWait';
import { who } from './threadLabel';

function poolOf(t: ThreadStack): string | undefined {
  const f = t.frames.find(isUrlopen);
  return f ? selfAddress(f) : undefined;
}

export const poolHolder: DumpRule = async (stacks, waits): Promise<DumpRuleResult> => {
  const waiting = stacks.threads.filter((t) => waits.get(t)?.kind === POOL_KIND);
  if (waiting.length === 0) return { findings: [], explained: [] };
  const inRequest = stacks.threads.filter((t) => t.frames.some(isUrlopen) && !t.frames.some(isGetConn));
  const findings: Finding[] = [];
  const explained: ThreadStack[] = [];
  for (const t of waiting) {
    const w = waits.get(t)!;
    const pool = poolOf(t);
    const holders = inRequest.filter((h) => !pool || !poolOf(h) || poolOf(h) === pool);
    const base = { severity: 'warning' as const, kind: POOL_KIND, threadId: t.id, frame: findingFrame(w.frame) };
    if (holders.length > 0) {
      const h = holders[0]!;
      const hw = waits.get(h);
      const hAt = hw?.frame ?? anchorFrame(h);
      const noTimeout = hw && /no timeout/.test(hw.phrase);
      const one = holders.length === 1;
      findings.push({
        ...base,
        title: `${who(t)} ${w.phrase} at ${where(w.frame)}; ${someNames(holders.map((x) => x.name))} ${one ? 'holds' : 'hold'} the connection${one ? '' : 's'}`,
        detail: `${holders.map((x) => x.name).join(', ')} ${one ? 'is' : 'are'} inside a request of this pool and keep${one ? 's' : ''} its connection until the response is read: ${who(h)} ${hw ? hw.phrase : 'runs'} at ${where(hAt)}. ${w.detail} Fix: ${noTimeout ? `give ${who(h)}'s request a read timeout (timeout=(connect, read)) so its connection comes back` : `make ${who(h)}'s request end sooner (a read timeout)`}; pool_timeout= (urllib3) or a larger pool_maxsize bounds the wait itself.`,
      });
    } else {
      findings.push({
        ...base,
        title: `${who(t)} ${w.phrase} at ${where(w.frame)}; no thread is in a request: responses left open hold the connections`,
        detail: `No thread of this process is inside a request of the pool, so its connections are held by responses that were neither read to the end nor closed (stream=True in requests, preload_content=False in urllib3). ${w.detail} Fix: close every streamed response (\`with session.get(…, stream=True) as r:\`, r.close(), or r.release_conn() in urllib3).`,
      });
    }
    explained.push(t);
  }
  return { findings, explained };
};
