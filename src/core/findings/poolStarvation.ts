// A thread pool starved by its own tasks: every worker of a ThreadPoolExecutor runs a task that
// waits for futures (result(), concurrent.futures.wait(), as_completed()), and no other worker runs
// anything, so the tasks those futures stand for sit in the same pool's queue with no worker free to
// run them. The pool had already started max_workers threads (it starts one a submit while below
// it), so it never grows out of this.
import type { Finding, Frame, ThreadStack } from '../model';
import { anchorFrame, clipName, findingFrame, isFrame, where } from './frames';
import { groupIds } from './groups';
import { someNames } from '../stacks/threadGroups';
import type { DumpRule, DumpRuleResult } from './rule';
import { who } from './threadLabel';

export const STARVATION_KIND = 'pool-starvation';

const isWorker = (t: ThreadStack) => t.frames.some((f) => isFrame(f, 'concurrent/futures/thread.py', '_worker'));
const runsTask = (t: ThreadStack) => t.frames.some((f) => isFrame(f, 'concurrent/futures/thread.py', '_WorkItem.run'));
const waitsForFuture = (f: Frame) => isFrame(f, 'concurrent/futures/_base.py', 'Future.result', 'Future.exception', 'wait', 'as_completed');

/** The frame of a future wait inside the task a worker runs (between its task and the wait), if it waits so. */
function futureWait(t: ThreadStack): Frame | undefined {
  if (t.active || !runsTask(t)) return undefined;
  const task = t.frames.findIndex((f) => isFrame(f, 'concurrent/futures/thread.py', '_WorkItem.run'));
  return t.frames.slice(0, task).find(waitsForFuture);
}

/** The pool a worker belongs to, by its name: `ThreadPoolExecutor-0_2` → `ThreadPoolExecutor-0`, `report_1` → `report`. */
const poolName = (t: ThreadStack) => /^(.*)_\d+$/.exec(t.name)?.[1] ?? t.name;

export const poolStarvation: DumpRule = async (stacks): Promise<DumpRuleResult> => {
  const workers = stacks.threads.filter(isWorker);
  if (workers.length === 0) return { findings: [], explained: [] };
  const findings: Finding[] = [];
  const explained: ThreadStack[] = [];
  const pools = new Map<string, ThreadStack[]>();
  for (const w of workers) pools.set(poolName(w), [...(pools.get(poolName(w)) ?? []), w]);
  for (const [pool, threads] of pools) {
    if (!threads.every((t) => futureWait(t))) continue;
    // A worker of another pool running a task may be running the awaited ones: not starvation.
    if (workers.some((o) => !threads.includes(o) && runsTask(o) && !futureWait(o))) continue;
    const first = threads[0]!;
    const at = anchorFrame(first);
    const places = new Set(threads.map((t) => where(anchorFrame(t))));
    const call = futureWait(first)!.function.replace(/^.*\./, '');
    findings.push({
      severity: 'error',
      kind: STARVATION_KIND,
      title: `pool starvation: ${threads.length === 1 ? `the only worker of ${clipName(pool)} waits` : `${threads.length === 2 ? 'both' : `all ${threads.length}`} workers of ${clipName(pool)} wait`} for futures of tasks queued in the same pool at ${where(at)}`,
      detail: `${someNames(threads.map(who))} ${threads.length === 1 ? 'runs a task that waits' : 'each run a task that waits'} for futures (${call}() at ${[...places].slice(0, 3).join(', ')}). The tasks those futures stand for are queued in the same ThreadPoolExecutor, and no worker is free to run them: the pool has started its max_workers threads, and every one of them waits. Fix: don't wait on the same pool from its tasks (submit the inner work to a second executor, or return the futures and wait for them outside the pool), or raise max_workers above the number of tasks that wait at once.`,
      ...groupIds(threads),
      frame: findingFrame(at),
    });
    explained.push(...threads);
  }
  return { findings, explained };
};
