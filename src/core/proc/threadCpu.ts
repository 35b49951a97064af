// CPU time each thread of a process has used, from /proc/PID/task/TID/stat (utime + stime, in clock
// ticks). Two reads a moment apart say which threads ran meanwhile: a GIL handed between threads
// shows as CPU on more than one of them. This machine's processes only; never throws.
import { procList, procText } from '../procFiles';

/** utime + stime of a `stat` line, in clock ticks; undefined when the text is not one. */
export function parseThreadCpu(stat: string): number | undefined {
  // The fields after the name (which may hold spaces and ')') start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isSafeInteger(utime) && Number.isSafeInteger(stime) && stat.includes(')') ? utime + stime : undefined;
}

/** Ticks used so far by each thread (its kernel id) of `pid`; empty when the process is gone or unreadable. */
export function readThreadCpu(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of procList(`/proc/${pid}/task`)) {
    const ticks = parseThreadCpu(procText(`/proc/${pid}/task/${tid}/stat`) ?? '');
    if (ticks !== undefined) out.set(Number(tid), ticks);
  }
  return out;
}

/** voluntary_ctxt_switches of a `status` text: how often the thread went to sleep; undefined when absent. */
export function parseWakeups(status: string): number | undefined {
  const m = /^voluntary_ctxt_switches:\s*(\d+)\s*$/m.exec(status);
  const n = m ? Number(m[1]) : NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Times each thread (its kernel id) of `pid` has gone to sleep so far. A thread waiting for the
 * GIL wakes every switch interval (5 ms) to ask for it; one asleep in a lock of its own does not.
 */
export function readThreadWakeups(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of procList(`/proc/${pid}/task`)) {
    const n = parseWakeups(procText(`/proc/${pid}/task/${tid}/status`) ?? '');
    if (n !== undefined) out.set(Number(tid), n);
  }
  return out;
}
