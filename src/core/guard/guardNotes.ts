// What the guard tells the user: the notes a dump carries and the sentence added to a failure.
import { SnagError } from '../errors';
import type { GuardOutcome } from './runGuarded';

/** The note a read made without pausing (for these threads) carries. */
export function pipeWriterNote(tids: readonly number[]): string {
  return `Read without pausing the process: thread${tids.length === 1 ? '' : 's'} ${tids.join(', ')} ${tids.length === 1 ? 'is' : 'are'} blocked writing to a pipe, and a pause would end that write early (the program could lose the rest of its output).`;
}

/** A tool that must pause every thread (gdb) is not started while one writes to a pipe. */
export function pipeRefusal(tool: string, pid: number, tids: readonly number[]): SnagError {
  return new SnagError(
    'bad-input',
    `Thread ${tids.join(', ')} of process ${pid} is blocked writing to a pipe. ${tool} would have to pause it, which ends that write early and can lose the program's output. Dump it with py-spy instead (Snag reads such a process without pausing it), or once the pipe's reader has caught up.`,
  );
}

/** What the tool's run is part of: one dump (py-spy or gdb), or sampling (a recording, or one of repeated dumps). */
export type GuardedOperation = 'dump' | 'sampling';

/** One sentence when the guard had to act or found the process stopped; empty otherwise. */
export function guardRemark(outcome: GuardOutcome, pid: number, tool: string, operation: GuardedOperation): string {
  switch (outcome) {
    case 'resumed':
      return `Process ${pid} was left stopped by ${tool}${operation === 'sampling' ? ' while sampling' : ''}; Snag resumed it (SIGCONT).`;
    case 'still-stopped':
      return `Process ${pid} is stopped (state T) and SIGCONT did not resume it: resume it with kill -CONT ${pid}.`;
    case 'left-stopped':
      return `Process ${pid} was already stopped (state T) ${operation === 'sampling' ? 'before sampling' : 'before the dump'}; Snag left it stopped.`;
    default:
      return '';
  }
}
