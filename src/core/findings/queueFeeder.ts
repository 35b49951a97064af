// A multiprocessing queue's feeder thread blocked writing into a full pipe. At exit a process
// flushes its queues (Queue._finalize_join), so a child whose parent joins it before reading the
// queue never exits: the classic "child printed done but join() hangs".
import type { Finding, ThreadStack } from '../model';
import { findingFrame, isFrame, where } from './frames';
import type { DumpRule, DumpRuleResult } from './rule';
import { who } from './threadLabel';

export const queueFeeder: DumpRule = async (dump): Promise<DumpRuleResult> => {
  const findings: Finding[] = [];
  const explained: ThreadStack[] = [];
  const exiting = dump.threads.find((t) =>
    t.frames.some((f) => isFrame(f, 'multiprocessing/queues.py', 'Queue._finalize_join') || isFrame(f, 'multiprocessing/util.py', '_exit_function')),
  );
  for (const t of dump.threads) {
    const feed = t.frames.find((f) => isFrame(f, 'multiprocessing/queues.py', 'Queue._feed'));
    const writing = t.frames.some((f) =>
      isFrame(f, 'multiprocessing/connection.py', 'Connection._send', '_ConnectionBase.send_bytes', 'Connection._send_bytes'),
    );
    if (!feed || !writing) continue;
    const title = exiting
      ? `${who(t)} keeps this process from exiting: it is still writing queued data that no process reads, at ${where(feed)}`
      : `${who(t)} waits to write into a full multiprocessing pipe at ${where(feed)}: no process reads this queue`;
    const detail = exiting
      ? `At exit a process flushes what it put on a multiprocessing.Queue; ${who(exiting)} waits for that in Queue._finalize_join. The pipe is full because nobody reads it — typically the parent calls join() before get(). Read the queue before joining the process, or call queue.cancel_join_thread() in the child if losing the data is acceptable.`
      : 'Items put on the queue are written by this feeder thread; it blocks while the pipe is full. Whoever should call get() is not reading.';
    findings.push({ severity: exiting ? 'warning' : 'info', kind: 'queue-feeder', title, detail, threadId: t.id, frame: findingFrame(feed) });
    explained.push(t);
    if (exiting) explained.push(exiting);
  }
  return { findings, explained };
};
