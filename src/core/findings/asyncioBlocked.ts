// An asyncio event loop blocked by a synchronous call: a coroutine or callback (run by
// Handle._run) waits in a blocking call, so no other task, timeout or callback runs meanwhile.
import type { Finding, ThreadStack } from '../model';
import { anchorFrame, findingFrame, isFrame, where } from './frames';
import type { DumpRule, DumpRuleResult } from './rule';
import { who } from './threadLabel';

export const asyncioBlocked: DumpRule = async (dump, waits): Promise<DumpRuleResult> => {
  const findings: Finding[] = [];
  const explained: ThreadStack[] = [];
  for (const t of dump.threads) {
    const run = t.frames.findIndex((f) => isFrame(f, 'asyncio/events.py', 'Handle._run'));
    if (run <= 0 || !t.frames.some((f) => isFrame(f, 'asyncio/base_events.py', 'BaseEventLoop._run_once', 'BaseEventLoop.run_forever'))) continue;
    const wait = waits.get(t);
    // Busy callbacks are caught mid-flight all the time; only a wait is evidence of blocking.
    if (!wait && t.active) continue;
    const frame = anchorFrame(t);
    findings.push({
      severity: 'warning',
      kind: 'asyncio-blocked',
      title: `${who(t)}'s asyncio event loop is blocked by ${wait ? wait.call : 'a synchronous call'} at ${where(frame)}`,
      detail:
        'While a coroutine makes a synchronous call the event loop runs nothing else: every other task, timeout and callback waits. Use the async form (await asyncio.sleep(…), an async client) or move the call to a thread with await asyncio.to_thread(…).',
      threadId: t.id,
      frame: findingFrame(frame),
    });
    explained.push(t);
  }
  return { findings, explained };
};
