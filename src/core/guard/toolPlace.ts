// Where a tool that attaches to a process (py-spy, gdb) runs, and how the guard watches that
// process. A target offers places; backends and samplers only ever run tools through runGuarded().
import type { Runner } from '../runner';

/**
 * How the guard looks at the process (task states, pipe writers) and signals it:
 *   local   this machine's /proc, no program started (the pid as this machine sees it);
 *   inline  the tool's own runner has a POSIX sh and the process's /proc: the checks ride in the
 *           same round trip as the tool (ssh hosts, `docker exec`), and that side also ends a tool
 *           that outlives Snag's timeout (Snag can only kill its local client);
 *   runner  a separate runner with a sh that sees the process as `pid` (a sidecar's target, seen
 *           from inside its container).
 * An inline watch may name a fallback for places that turn out to have no sh (minimal images).
 */
export type ProcessWatch = { kind: 'inline'; fallback?: DirectWatch } | DirectWatch;

/** A watch that looks from outside the tool's run; `fallback` of an inline watch where the place has no sh. */
export type DirectWatch = { kind: 'local'; pid: number } | { kind: 'runner'; runner: Runner; pid: number };

export interface ToolPlace {
  /** Runs the tool's argv. */
  runner: Runner;
  /** The process's pid as the tool sees it. */
  pid: number;
  watch: ProcessWatch;
  /** Where this is, for messages: `this machine`, `prod-1`, `container web`. */
  where: string;
  /**
   * Ends what is left of a tool that timed out or was cancelled, where killing Snag's local client
   * does not end it and no guard runs on the far side (a container without a shell).
   */
  reap?: (toolArgv: readonly string[]) => Promise<void>;
}

/** The usual place: the tool runs where the process lives, watched there. */
export function placeAt(runner: Runner, pid: number, local: boolean, where: string): ToolPlace {
  return { runner, pid, watch: local ? { kind: 'local', pid } : { kind: 'inline' }, where };
}
