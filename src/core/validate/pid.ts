// One rule for process ids, applied at every edge (CLI arguments, the extension's commands, the core's
// entry points and each backend before it builds an argv). A pid is a plain decimal number in the
// kernel's range: tools disagree on anything else (py-spy refuses 2^32 + n, gdb truncates it to n and
// reads the wrong process), so Snag refuses it before any tool sees it.
import { readFileSync } from 'node:fs';
import { SnagError } from '../errors';

/** The largest pid any Linux kernel hands out (PID_MAX_LIMIT on 64-bit: 2^22). */
export const PID_LIMIT = 4_194_304;

let localMax: number | undefined;
/** This machine's /proc/sys/kernel/pid_max, never above PID_LIMIT (PID_LIMIT where it cannot be read). */
export function localPidMax(): number {
  if (localMax === undefined) {
    let read = NaN;
    try {
      read = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim());
    } catch {
      /* not Linux, or /proc hidden: the kernel's own limit still holds */
    }
    localMax = Number.isSafeInteger(read) && read > 0 ? Math.min(read, PID_LIMIT) : PID_LIMIT;
  }
  return localMax;
}

/** Is this a pid Snag may hand to a tool (an integer in 1..max)? */
export function isValidPid(pid: unknown, max = PID_LIMIT): pid is number {
  return typeof pid === 'number' && Number.isSafeInteger(pid) && pid >= 1 && pid <= Math.min(max, PID_LIMIT);
}

function show(value: unknown): string {
  const s = typeof value === 'string' ? value : String(value);
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}

function range(limit: number): string {
  return limit === PID_LIMIT ? `Linux process ids go from 1 to ${PID_LIMIT}` : `process ids on this machine go from 1 to ${limit} (kernel.pid_max)`;
}

/** Throws a bad-input SnagError unless pid is valid; returns it (for `const pid = checkPid(x)`). */
export function checkPid(pid: unknown, max = PID_LIMIT): number {
  if (isValidPid(pid, max)) return pid;
  throw new SnagError('bad-input', `Snag refuses process id ${show(pid)}: ${range(Math.min(max, PID_LIMIT))}, written as a plain whole number.`);
}

/**
 * A pid typed by a person (a CLI argument, a picker's free text): decimal digits only, no sign,
 * spaces, exponent, hex or leading zero (`012` is refused rather than read as 12 or as octal 10).
 * `max` is the pid_max of the machine the pid lives on when known (localPidMax() here).
 * `subject` starts the message: `dump needs a process id, got "0x10": …`.
 */
export function parsePid(text: string | undefined, subject = 'Snag', max = PID_LIMIT): number {
  const limit = Math.min(max, PID_LIMIT);
  const refuse = (why: string) => new SnagError('bad-input', `${subject} needs a process id, got ${show(text ?? '')}: ${why}.`);
  if (text === undefined || text === '') throw refuse(`snag ps lists them; ${range(limit)}`);
  if (!/^[1-9][0-9]*$/.test(text)) {
    const how = /^0+$/.test(text)
      ? 'there is no process 0'
      : /^0[0-9]+$/.test(text)
        ? 'write it without leading zeros'
        : /^\s|\s$/.test(text)
          ? 'it has spaces around it'
          : 'decimal digits only';
    throw refuse(`${how}; ${range(limit)}`);
  }
  // Long digit strings are out of range whatever they say (and may not even be safe integers).
  const pid = text.length > 7 ? Infinity : Number(text);
  if (pid > limit) throw refuse(range(limit));
  return pid;
}
