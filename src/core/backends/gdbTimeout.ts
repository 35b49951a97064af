// How long a gdb dump may take. gdb walks every thread's frames in Python inside gdb, so the time
// grows with the thread count: 500 threads × 60 frames took 51 s through the interpreter's gdb
// extension, near the old flat 60 s limit (Snag's own reader, the default for many threads, about
// 2 s; loading debug info and a loaded machine still take their time).
// The limit grows with the threads the process listing counted (ProcessInfo.threads), capped so a
// wedged gdb is still ended in bounded time.

/** The limit for a process of up to BASE_THREADS threads (and when the count is unknown). */
export const GDB_BASE_TIMEOUT_MS = 60_000;
const BASE_THREADS = 50;
/** Each thread past BASE_THREADS adds this much. */
const PER_THREAD_MS = 100;
export const GDB_MAX_TIMEOUT_MS = 10 * 60_000;

/** 60 s, plus 100 ms per thread above 50, at most 10 minutes; 60 s when the count is unknown. */
export function gdbTimeoutMs(threads?: number): number {
  if (threads === undefined || !Number.isFinite(threads) || threads <= BASE_THREADS) return GDB_BASE_TIMEOUT_MS;
  return Math.min(GDB_MAX_TIMEOUT_MS, GDB_BASE_TIMEOUT_MS + Math.ceil(threads - BASE_THREADS) * PER_THREAD_MS);
}
