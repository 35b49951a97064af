// What a thread rule said, made exact with facts about the live process: a socket wait gets its
// timeout from the code that made the call (callTimeout.ts) and its peer from the process's sockets
// (socketPeer.ts). Dumps (diagnose.ts) and sampling (stackWait.ts) refine alike.
import type { ThreadStack } from '../model';
import { withCallTimeout } from './callTimeout';
import { hasLocals, withLocalsFrom } from './localsOf';
import type { DiagnoseContext, ThreadWait } from './rule';
import { withPeer } from './socketPeer';

/** The thread's frames with locals: the dump's own, or those of the rules' second read. */
export async function threadWithLocals(t: ThreadStack, ctx: DiagnoseContext): Promise<ThreadStack> {
  if (hasLocals([t])) return t;
  const read = await ctx.process?.locals().catch(() => undefined);
  return read ? (withLocalsFrom([t], read)[0] ?? t) : t;
}

export async function refineWait(t: ThreadStack, w: ThreadWait, ctx: DiagnoseContext): Promise<ThreadWait> {
  if (w.kind !== 'socket-wait') return w;
  const full = await threadWithLocals(t, ctx);
  return withPeer(full, await withCallTimeout(full, w, ctx), ctx);
}
