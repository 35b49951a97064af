// This machine's /proc, read in place (synchronously). The kernel makes a /proc file when it is
// read, in microseconds; through node's thread pool every read is several queued round trips (open,
// stat, read, close) behind any other file work. Measured on a loaded 2-core machine: a process's
// sockets read so took 23–34 ms and the guard's look after a dump 6–9 ms, both well under a
// millisecond in place. Long listings go a slice at a time with a turn of the event loop between.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** How many /proc entries are read before the event loop gets a turn. */
export const PROC_SLICE = 256;

/** Lets the event loop run (timers, I/O) between slices of a long /proc walk. */
export const procTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A /proc file's text; undefined when it cannot be read (gone, not ours). */
export function procText(path: string, encoding: BufferEncoding = 'utf8'): string | undefined {
  try {
    return readFileSync(path, encoding);
  } catch {
    return undefined;
  }
}

/** Where a /proc link points (`socket:[123]`, a cwd); undefined when it cannot be read. */
export function procLink(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

/** A /proc directory's entries; empty when it cannot be read. */
export function procList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** `read` of each item, a slice at a time with a turn of the event loop between slices. */
export async function procMap<T, R>(items: readonly T[], read: (item: T) => R): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i++) {
    if (i > 0 && i % PROC_SLICE === 0) await procTurn();
    out.push(read(items[i]!));
  }
  return out;
}
