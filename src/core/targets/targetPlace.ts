// The place a target offers a tool that reads one of its processes, and how messages name it.
import { placeAt, type ToolPlace } from '../guard/toolPlace';
import type { Target } from './target';

/** Where a target is, for messages: `this machine` or the target's label. */
export function whereOf(target: Target): string {
  return target.ref.kind === 'local' ? 'this machine' : target.ref.label;
}

/** The place for a tool reading process `pid` (by default: through the target's runner, watched in the same round trip). */
export async function placeFor(target: Target, pid: number, signal?: AbortSignal): Promise<ToolPlace> {
  // Without a place of its own, a target is behind a connection: the guard rides along there.
  return (await target.place?.(pid, signal)) ?? placeAt(target.runner, pid, false, whereOf(target));
}
