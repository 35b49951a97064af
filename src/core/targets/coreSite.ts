// Where a core of one of a target's processes is written: the machine whose /proc holds the process
// (this machine, an ssh host, a container engine's host by the host PID), the process's pid there,
// the place gcore runs for the guard, and whether files written there are this machine's (no copy
// back). A target says it (`coreSite`); without one, its runner and place are the site.
import type { ToolPlace } from '../guard/toolPlace';
import type { Runner } from '../runner';
import type { Target } from './target';
import { isThisMachine, placeFor, whereOf } from './targetPlace';

export interface CoreSite {
  /** Runs argv on the machine that writes the core; its /proc has the process as `pid`. */
  runner: Runner;
  /** The process's pid there (a container process's host PID, when the core is taken from the host). */
  pid: number;
  /** Where gcore runs, for runGuarded (its pid is `pid`). */
  place: ToolPlace;
  /** Files written there are on this machine: the core needs no copy back. */
  here: boolean;
  /** For messages and the metadata: `this machine`, `prod-1`, `the host of container web`. */
  where: string;
  /** How the core was taken, for the metadata (`gcore on the host, host PID 4242`). */
  how?: string;
}

/** The target's own site for a core of process `pid`, or its runner and place. */
export async function coreSiteFor(target: Target, pid: number, signal?: AbortSignal): Promise<CoreSite> {
  const own = await target.coreSite?.(pid, signal);
  if (own) return own;
  const place = await placeFor(target, pid, signal);
  return { runner: target.runner, pid: place.pid, place, here: isThisMachine(target), where: whereOf(target) };
}
