// A core written on another machine (an ssh host, inside a container) comes back through the site's
// runner: its size first (a warning above LARGE_CORE_BYTES, a refusal when this machine has no room),
// then `cat` streamed to the local file, its growth told as progress, and the far copy removed.
import { rm, stat, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SnagError } from '../errors';
import { RunError } from '../run';
import type { CoreSite } from '../targets/coreSite';
import { formatBytes } from '../validate/limits';

/** Above this, a core's copy back is asked for first (`confirmLargeCopy`) or said (the CLI). */
export const LARGE_CORE_BYTES = 1024 * 1024 * 1024;
const PROGRESS_MS = 250;

export interface CopyBack {
  signal?: AbortSignal;
  /** The copy's own limit (default: a minute plus one per 20 MiB). */
  timeoutMs?: number;
  onProgress?: (copiedBytes: number, totalBytes: number) => void;
  /** Asked before copying a core larger than LARGE_CORE_BYTES; false: not copied (cancelled). */
  confirmLargeCopy?: (bytes: number, where: string) => Promise<boolean>;
  /** What counts as large (default LARGE_CORE_BYTES). */
  largeBytes?: number;
}

/** A file's size at the site (`wc -c`, which every POSIX system has). */
export async function sizeThere(site: CoreSite, path: string, signal?: AbortSignal): Promise<number> {
  const { stdout } = await site.runner.run(['sh', '-c', 'wc -c < "$1"', 'sh', path], { timeoutMs: 30_000, signal });
  const bytes = Number(stdout.trim());
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new SnagError('tool-failed', `Could not tell the size of the core on ${site.where}.`, ['show-log']);
  return bytes;
}

/** Copies `remote` at the site to `local`; returns the bytes copied. The local file is removed on failure. */
export async function copyCoreBack(site: CoreSite, remote: string, local: string, job: CopyBack): Promise<number> {
  const bytes = await sizeThere(site, remote, job.signal);
  const room = await statfs(dirname(local)).then(
    (s) => s.bavail * s.bsize,
    () => Infinity,
  );
  if (bytes > room)
    throw new SnagError(
      'bad-input',
      `The core on ${site.where} is ${formatBytes(bytes)} and ${dirname(local)} has ${formatBytes(room)} free: make room or save the core elsewhere.`,
    );
  if (bytes > (job.largeBytes ?? LARGE_CORE_BYTES) && job.confirmLargeCopy && !(await job.confirmLargeCopy(bytes, site.where)))
    throw new SnagError('cancelled', `The core (${formatBytes(bytes)}) was not copied from ${site.where}.`);
  const timer = setInterval(() => {
    void stat(local).then(
      (s) => job.onProgress?.(s.size, bytes),
      () => undefined,
    );
  }, PROGRESS_MS);
  try {
    await site.runner.run(['cat', '--', remote], {
      stdoutFile: local,
      signal: job.signal,
      timeoutMs: job.timeoutMs ?? 60_000 + Math.ceil(bytes / (20 * 1024 * 1024)) * 1000,
    });
  } catch (err) {
    await rm(local, { force: true });
    if (RunError.is(err, 'cancelled')) throw new SnagError('cancelled', `Copying the core from ${site.where} was cancelled.`, [], { cause: err });
    if (RunError.is(err, 'timed-out'))
      throw new SnagError('timed-out', `Copying the core (${formatBytes(bytes)}) from ${site.where} took too long.`, ['show-log'], { cause: err });
    throw new SnagError('tool-failed', `Could not copy the core back from ${site.where}: ${err instanceof Error ? err.message : String(err)}`, ['show-log'], {
      cause: err,
    });
  } finally {
    clearInterval(timer);
  }
  const copied = (await stat(local)).size;
  job.onProgress?.(copied, bytes);
  if (copied !== bytes) {
    await rm(local, { force: true });
    throw new SnagError('tool-failed', `The core copied back from ${site.where} is ${formatBytes(copied)} of ${formatBytes(bytes)}: try again.`, ['show-log']);
  }
  return copied;
}
