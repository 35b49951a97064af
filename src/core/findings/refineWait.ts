// What a thread rule said, made exact with facts about the live process: a socket wait gets its
// timeout from the code that made the call (callTimeout.ts) and its peer from the process's sockets
// (socketPeer.ts). Dumps (diagnose.ts) and sampling (stackWait.ts) refine alike.
import type { ThreadStack } from '../model';
import { withCallTimeout } from './callTimeout';
import { hasLocals, withLocalsFrom } from './localsOf';
import type { DiagnoseContext, ThreadWait } from './rule';
import { pollLoop } from './pollLoop';
import { withPeer } from './socketPeer';

/** The thread's frames with locals: the dump's own, or those of the rules' second read. */
export async function threadWithLocals(t: ThreadStack, ctx: DiagnoseContext): Promise<ThreadStack> {
  if (hasLocals([t])) return t;
  const read = await ctx.process?.locals().catch(() => undefined);
  return read ? (withLocalsFrom([t], read)[0] ?? t) : t;
}

export async function refineWait(t: ThreadStack, w: ThreadWait, ctx: DiagnoseContext): Promise<ThreadWait> {
  if (w.kind !== 'socket-wait') return withPollLoop(w, ctx);
  const full = await threadWithLocals(t, ctx);
  return withPeer(full, await withCallTimeout(full, w, ctx), ctx);
}

/** Waits that return by themselves (a sleep, a wait with a timeout) and may be polled in a loop. */
const POLLABLE = new Set(['sleep', 'signal-wait', 'lock-wait', 'select-wait', 'process-lock-wait']);

/** A short wait repeated by a loop that does nothing else is said as the loop it is: what it polls for. */
async function withPollLoop(w: ThreadWait, ctx: DiagnoseContext): Promise<ThreadWait> {
  if (!POLLABLE.has(w.kind)) return w;
  const poll = await pollLoop(w.frame, ctx.source);
  if (!poll || (poll.every === undefined && w.kind !== 'sleep')) return w;
  const every = poll.every !== undefined ? ` every ${poll.every} s` : '';
  const ends = poll.ends;
  const phrase = poll.stopFlag
    ? `waits for its stop flag (polls${every} ${ends})`
    : ends
      ? `polls${every} ${ends}`
      : `polls${every}: ${w.phrase}, again and again`;
  const how = w.call === 'time.sleep' ? 'sleeps' : `waits in ${w.call}`;
  const detail = poll.stopFlag
    ? `It ${how}${poll.every !== undefined ? ` ${poll.every} s at a time` : ''} in a loop (line ${poll.line}) that goes on ${ends}: a thread at rest until the program stops it.`
    : `It ${how}${poll.every !== undefined ? ` ${poll.every} s at a time` : ''}, in a loop (line ${poll.line}) that does nothing else and goes on ${ends ?? 'until the wait succeeds'}. Found here for longer than one wait, that has not changed: look at what should end it (a file, a flag, another thread or process). An Event, a Condition or a blocking call with a timeout says when it happens instead of polling.`;
  return { ...w, phrase, detail, poll };
}
