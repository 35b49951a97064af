// The live process behind a dump, as the finding rules may ask about it (findings/processView.ts):
// its TCP sockets (with how long each has been silent, where `ss` can tell), its threads read once
// more with locals, and dumps of its children — each read only when a rule asks, at most once.
// Children are bounded: at most MAX_CHILD_DUMPS dumps in all below one dump, at most
// MAX_CHILD_DEPTH levels deep, each read with the same reader (so through the same guard).
import type { Backend, DumpRequest } from '../backends/backend';
import { errorMessage } from '../errors';
import type { ChildDump, ProcessView } from '../findings/processView';
import type { StackDump, ThreadStack } from '../model';
import type { OpenSocket } from '../proc/sockets';
import { addSocketTimes, processFacts } from '../targets/processFacts';
import type { Target } from '../targets/target';
import { isThisMachine } from '../targets/targetPlace';
import { readBlockedCall, readBlockedFd } from '../proc/blockedFd';
import { readThreadCpu, readThreadWakeups } from '../proc/threadCpu';

/** Child processes dumped below one dump, in all (a parent of 500 workers is not dumped 500 times). */
export const MAX_CHILD_DUMPS = 4;
/** Levels of children followed: a child's child, not further. */
export const MAX_CHILD_DEPTH = 2;
/** A child's dump gets at most this long (it is a side read, the parent's dump is what was asked for). */
const CHILD_TIMEOUT_MS = 15_000;

export interface ViewJob {
  target: Target;
  pid: number;
  backend: Backend;
  req: DumpRequest;
  /** How deep below the dump the user asked for this process is (0: that dump). */
  depth: number;
  /** Child dumps left for the whole tree below the first dump (shared, counts down). */
  budget: { left: number };
  /** Maps and explains a child's dump (its own view one level deeper): dumpProcess's own steps. */
  explainChild(dump: StackDump, job: ViewJob): Promise<void>;
  /** The process's sockets, when their reading was started beside the stacks (readSocketsOnce). */
  sockets?: () => Promise<OpenSocket[] | undefined>;
}

/** The process's TCP sockets, with how long each connection has been silent where `ss` there can tell. */
async function readSockets(target: Target, pid: number, signal?: AbortSignal): Promise<OpenSocket[] | undefined> {
  const facts = await processFacts(target, pid, ['sockets'], signal);
  if (!facts.sockets) return undefined;
  // `ss` lists the sockets of its own network namespace: only where the process shares it.
  const connected = facts.sockets.filter((s) => s.state === 'established' || s.state === 'syn-sent');
  if (facts.sameNetns === true && connected.length && !facts.socketTimes) await addSocketTimes(target.runner, connected, signal);
  return facts.sockets;
}

function once<T>(read: () => Promise<T>): () => Promise<T> {
  let hit: Promise<T> | undefined;
  return () => (hit ??= read());
}

/** The process's sockets, read at the first call and kept (never rejects: undefined when unreadable). */
export function readSocketsOnce(target: Target, pid: number, signal?: AbortSignal): () => Promise<OpenSocket[] | undefined> {
  return once(() => readSockets(target, pid, signal).catch(() => undefined));
}

export interface LiveProcessView extends ProcessView {
  /** The child dumps a rule asked for (for the dump's `children`). */
  taken(): StackDump[];
}

/** The view of process `job.pid`, whose dump is `dump`. */
export function liveProcessView(job: ViewJob, dump: Pick<StackDump, 'backend' | 'threads'>): LiveProcessView {
  const { target, pid, req } = job;
  const children: ChildDump[] = [];
  return {
    pid,
    sockets: job.sockets ?? once(() => readSockets(target, pid, req.signal)),
    // Thread ids are this machine's only for a process of this machine.
    ...kernelView(target, pid),
    locals: once(async (): Promise<ThreadStack[] | undefined> => {
      // Only a py-spy read is quick enough to repeat; a dump with locals has them already.
      if (dump.backend !== 'py-spy' || req.locals) return undefined;
      try {
        const again = await job.backend.dump(target, pid, { ...req, locals: true, native: false });
        return again.backend === 'py-spy' ? again.threads : undefined;
      } catch {
        return undefined;
      }
    }),
    children: once(async () => {
      if (job.depth >= MAX_CHILD_DEPTH) return undefined;
      const listed = (await processFacts(target, pid, ['children'], req.signal)).children;
      if (!listed) return undefined;
      // Which child's stdin is a pipe this process holds the other end of (a Popen whose p.stdin is still open).
      const ours = new Set((await processFacts(target, pid, ['pipes'], req.signal)).pipes?.values() ?? []);
      for (const c of listed) {
        if (c.pid === pid) continue;
        if (job.budget.left <= 0) break;
        job.budget.left--;
        const child = await dumpChild(job, c.pid, c.command);
        const stdin = ours.size ? (await processFacts(target, c.pid, ['pipes'], req.signal)).pipes?.get(0) : undefined;
        if (stdin !== undefined && ours.has(stdin)) child.stdinFromParent = true;
        children.push(child);
      }
      return { dumps: children, total: listed.length };
    }),
    taken: () => children.flatMap((c) => (c.dump ? [c.dump] : [])),
  };
}

/**
 * The view sampling gives the rules: the process's sockets, read afresh for each still stack a rule
 * explains (cheap, and they change over a session). No second read with locals and no child dumps:
 * a recording is attached to the process meanwhile.
 */
export function samplingProcessView(target: Target, pid: number, signal?: AbortSignal): ProcessView {
  return {
    pid,
    // Without how long each connection has been silent: a phrase is explained once per still stack,
    // and the sampler says itself how long the stack has stood still.
    sockets: async () => (await processFacts(target, pid, ['sockets'], signal)).sockets,
    locals: async () => undefined,
    children: async () => undefined,
    ...kernelView(target, pid),
  };
}

/** What the kernel says of each thread (the call it sleeps in, on which descriptor, its CPU time): thread ids are this machine's only for a process of this machine. */
function kernelView(target: Target, pid: number): Pick<ProcessView, 'blockedFd' | 'blockedCall' | 'threadCpu' | 'threadWakeups'> {
  if (!isThisMachine(target)) return {};
  return {
    blockedFd: (tid) => readBlockedFd(pid, tid),
    blockedCall: (tid) => readBlockedCall(pid, tid),
    threadCpu: () => readThreadCpu(pid),
    threadWakeups: () => readThreadWakeups(pid),
  };
}

async function dumpChild(parent: ViewJob, pid: number, command: string): Promise<ChildDump> {
  const req: DumpRequest = { ...parent.req, timeoutMs: Math.min(parent.req.timeoutMs ?? CHILD_TIMEOUT_MS, CHILD_TIMEOUT_MS), threads: undefined };
  try {
    const dump = await parent.backend.dump(parent.target, pid, req);
    // The child's own view: its sockets are its own (the parent's reading stays the parent's).
    const { sockets: _parentSockets, ...view } = parent;
    await parent.explainChild(dump, { ...view, pid, req, depth: parent.depth + 1 });
    return { pid, command, dump };
  } catch (err) {
    const message = errorMessage(err);
    return { pid, command, error: message.length > 160 ? `${message.slice(0, 159)}…` : message };
  }
}
