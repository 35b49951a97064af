// Failures every tool can have, told the same way for py-spy and gdb: killed by a signal, and output
// over Snag's cap (never shown as if it were the tool's own error text).
import { constants } from 'node:os';
import { SnagError } from '../errors';
import type { RunError } from '../run';
import { formatBytes } from '../validate/limits';

/** SIGKILL for 9 (a shell, docker exec or ssh reports a signal as exit code 128 + its number). */
export function signalName(n: number): string {
  return Object.entries(constants.signals).find(([, v]) => v === n)?.[0] ?? `signal ${n}`;
}

/** The signal that ended the tool, from run()'s report or a shell's 128 + N exit code; else undefined. */
export function killedBy(err: RunError): string | undefined {
  if (err.failure === 'signal') return err.signal ?? /killed by (\w+)/.exec(err.message)?.[1] ?? 'a signal';
  const code = err.exitCode;
  if (err.failure === 'exit' && code !== undefined && code > 128 && code <= 128 + 64) return signalName(code - 128);
  return undefined;
}

export function toolSignalError(tool: string, err: RunError, pid: number, tail = ''): SnagError {
  const signal = killedBy(err) ?? 'a signal';
  const hint =
    signal === 'SIGKILL'
      ? 'Something outside Snag ended it: the out-of-memory killer (see dmesg), a process manager or a person. Try again'
      : 'Something outside Snag ended it. Try again';
  return new SnagError('tool-failed', `${tool} was killed by ${signal} while reading process ${pid}. ${hint}.${tail}`, ['show-log'], { cause: err });
}

/** `activity`: what the tool was doing, so the advice fits (a dump, or one recording of a sampling session). */
export function toolOutputError(tool: string, err: RunError, pid: number, tail = '', activity: 'dump' | 'sampling' = 'dump'): SnagError {
  const cap = err.capBytes === undefined ? "Snag's cap" : `Snag's cap of ${formatBytes(err.capBytes)}`;
  const advice =
    activity === 'dump'
      ? `for one dump, so Snag stopped it. A dump is normally far smaller: check that this ${tool} works (run it by hand on the process), or dump without locals and native frames.`
      : `for one recording, so Snag stopped it. A recording is normally far smaller: check that this ${tool} works (run it by hand on the process), or sample without native frames.`;
  return new SnagError('tool-failed', `${tool} printed more output for process ${pid} than ${cap} ${advice}${tail}`, ['show-log'], { cause: err });
}

/** A run that read no threads while the guard saw the process go: it exited (or was killed) meanwhile, not "0 threads". */
export function goneDuringRead(tool: string, pid: number): SnagError {
  return new SnagError('process-gone', `Process ${pid} exited during the dump: ${tool} read no threads before it was gone.`, ['refresh-processes']);
}
