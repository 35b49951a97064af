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

export function toolOutputError(tool: string, err: RunError, pid: number, tail = ''): SnagError {
  const cap = err.capBytes === undefined ? "Snag's cap" : `Snag's cap of ${formatBytes(err.capBytes)}`;
  return new SnagError(
    'tool-failed',
    `${tool} printed more output for process ${pid} than ${cap} for one dump, so Snag stopped it. A dump is normally far smaller: check that this ${tool} works (run it by hand on the process), or dump without locals and native frames.${tail}`,
    ['show-log'],
    { cause: err },
  );
}
