// How a finding names a thread. Names come from the target: one named `error: x waits` or two both
// named `MainThread` would make a finding read as something it is not. An ordinary name (Python's
// own `Thread-3 (worker)`, `ThreadPoolExecutor-0_1`, `MainThread`) stays as it is; any other is
// quoted; a name several threads share gets its kernel thread id (or its place in the dump).
import { escapeQuotes } from '../text/safeText';
import type { ThreadStack } from '../model';

const ORDINARY = /^[A-Za-z_][\w.-]*(?: \([\w.<>-]+\))?$/;

const labels = new WeakMap<ThreadStack, string>();

/** The name as a finding writes it, before any thread shares it. */
export function quotedName(name: string): string {
  return ORDINARY.test(name) ? name : `"${escapeQuotes(name)}"`;
}

/** Fixes each thread's label for the findings about `threads` (called once per diagnosis). */
export function labelThreads(threads: readonly ThreadStack[]): void {
  const count = new Map<string, number>();
  for (const t of threads) count.set(t.name, (count.get(t.name) ?? 0) + 1);
  const seen = new Map<string, number>();
  for (const t of threads) {
    const n = (seen.get(t.name) ?? 0) + 1;
    seen.set(t.name, n);
    const base = quotedName(t.name);
    labels.set(t, count.get(t.name)! > 1 ? `${base} (${t.nativeId !== undefined ? `tid ${t.nativeId}` : `#${n}`})` : base);
  }
}

/** The thread as findings name it. */
export function who(t: ThreadStack): string {
  return labels.get(t) ?? quotedName(t.name);
}
