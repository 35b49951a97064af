// What gcore's run says beyond its exit code: gcore exits 0 after a write that failed part-way (a
// full disk: "Failed to write corefile contents (No space left on device)"), leaving a file that is
// no core; and how the process was left (a process stopped before, by kill -STOP or a debugger, is
// left stopped as it was).
import type { GuardOutcome } from '../guard/runGuarded';

/** gcore's own words for a write that failed (`No space left on device`), or undefined. */
export function gcoreWriteFailure(stderr: string): string | undefined {
  const lines = stderr.split('\n');
  const failed = lines.find((l) => /Failed to write corefile|writing note section|cannot close ".*":/.test(l));
  if (!failed) return undefined;
  const why = /\(([^()]+)\)\.?\s*$/.exec(failed)?.[1] ?? /:\s*([^:]+)$/.exec(failed)?.[1];
  return (why ?? failed.replace(/^warning:\s*/, '')).trim();
}

/** How the process was left, for "The process …". */
export function processAfterText(outcome: GuardOutcome | string): string {
  switch (outcome) {
    case 'gone':
      return 'exited meanwhile';
    case 'left-stopped':
      return 'was stopped before the core was taken and is left stopped, as it was';
    case 'still-stopped':
      return 'is still stopped: Snag could not resume it (kill -CONT it)';
    default:
      return 'keeps running';
  }
}
