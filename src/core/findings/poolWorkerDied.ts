// A multiprocessing.Pool whose worker died while it ran a task (SIGKILL from the OOM killer,
// os._exit, a crash in C): the pool starts a replacement, but the task's result never comes, so
// map()/get() wait forever. Seen in the workers' own dumps: a worker started by the pool's
// _maintain_pool is a replacement for one that exited, and every worker waits for a new task.
import type { Finding, StackDump, ThreadStack } from '../model';
import { findingFrame, isFrame, where } from './frames';
import type { ChildDump } from './processView';
import type { DumpRule, DumpRuleResult } from './rule';
import { who } from './threadLabel';

const POOL_WAITS = ['Pool.map', 'Pool.starmap', 'ApplyResult.get', 'ApplyResult.wait', 'IMapIterator.next', 'MapResult.get'];

const isWorker = (d: StackDump) => d.threads.some((t) => t.frames.some((f) => isFrame(f, 'multiprocessing/pool.py', 'worker')));
const isReplacement = (d: StackDump) => d.threads.some((t) => t.frames.some((f) => isFrame(f, 'multiprocessing/pool.py', 'Pool._maintain_pool')));
/** The worker waits for its next task: in the task queue's get, inside pool.worker, no task code above it. */
function waitsForTask(d: StackDump): boolean {
  return d.threads.some((t) => {
    const w = t.frames.findIndex((f) => isFrame(f, 'multiprocessing/pool.py', 'worker'));
    return (
      w > 0 &&
      t.frames.slice(0, w).some((f) => /(^|\/)multiprocessing\/(queues|synchronize|connection)\.py$/.test(f.file)) &&
      !t.frames.slice(0, w).some((f) => f.isUserCode)
    );
  });
}

export const poolWorkerDied: DumpRule = async (stacks, waits, ctx): Promise<DumpRuleResult> => {
  const waiting = stacks.threads.filter(
    (t) => waits.get(t)?.kind === 'join-wait' && t.frames.some((f) => isFrame(f, 'multiprocessing/pool.py', ...POOL_WAITS)),
  );
  if (waiting.length === 0 || !ctx.process) return { findings: [], explained: [] };
  const kids = await ctx.process.children().catch(() => undefined);
  const workers = (kids?.dumps ?? []).filter((c): c is ChildDump & { dump: StackDump } => !!c.dump && isWorker(c.dump));
  if (workers.length === 0) return { findings: [], explained: [] };
  const replaced = workers.filter((c) => isReplacement(c.dump));
  const idle = workers.filter((c) => waitsForTask(c.dump));
  // Some worker still runs a task: the result may still come (followWait names where it stands).
  if (idle.length < workers.length || (replaced.length === 0 && workers.length < (kids?.total ?? 0))) return { findings: [], explained: [] };
  const findings: Finding[] = [];
  const explained: ThreadStack[] = [];
  for (const t of waiting) {
    const w = waits.get(t)!;
    const pids = replaced.map((c) => c.pid).join(', ');
    const title = replaced.length
      ? `${who(t)} waits at ${where(w.frame)} for results a dead pool worker will never send: worker ${pids} replaced one that died`
      : `${who(t)} waits at ${where(w.frame)} for a pool result, but every worker of the pool is idle: a worker died with the task`;
    findings.push({
      severity: 'error',
      kind: 'pool-worker-died',
      title,
      detail: `${replaced.length ? `Worker ${pids} was started by the pool's Pool._maintain_pool, which replaces workers that exited. ` : ''}All ${workers.length} workers (${workers.map((c) => c.pid).join(', ')}) wait for a new task, so the task the dead worker ran is lost, and multiprocessing.Pool never notices: ${w.frame ? `the call at ${where(w.frame)}` : 'the call'} waits forever. The pool reaped the dead worker, so its exit status is gone; a worker that dies without a result was killed by a signal (SIGKILL from the kernel's OOM killer: see dmesg) or called os._exit(). Fix: find why it died (memory), and use concurrent.futures.ProcessPoolExecutor, which raises BrokenProcessPool instead of hanging, or AsyncResult.get(timeout=…).`,
      threadId: t.id,
      frame: findingFrame(w.frame),
    });
    explained.push(t);
  }
  return { findings, explained };
};
