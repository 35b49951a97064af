// The place a target offers a tool that reads one of its processes, and how messages name it.
import { placeAt, type ToolPlace } from '../guard/toolPlace';
import type { Target } from './target';

/**
 * Is the target this machine? Its runner says (argv runs here as given), not its kind: this
 * machine's /proc, tools and paths are its own.
 */
export function isThisMachine(target: Pick<Target, 'runner'>): boolean {
  return target.runner.here === true;
}

/** Where a target is, for messages: `this machine` or the target's label. */
export function whereOf(target: Pick<Target, 'runner' | 'ref'>): string {
  return isThisMachine(target) ? 'this machine' : target.ref.label;
}

/** The place for a tool reading process `pid` (by default: through the target's runner, watched in the same round trip). */
export async function placeFor(target: Target, pid: number, signal?: AbortSignal): Promise<ToolPlace> {
  // Without a place of its own, a target is behind a connection: the guard rides along there.
  return (await target.place?.(pid, signal)) ?? placeAt(target.runner, pid, false, whereOf(target));
}
