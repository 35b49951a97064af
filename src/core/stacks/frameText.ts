// How findings, groups and titles name a frame: short, bounded (names from the target can be any length).
import type { Frame } from '../model';

/** A long name cut to `max` characters with an ellipsis: names from the target can be any length, titles cannot. */
export function clipName(s: string, max = 40): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** `worker.py:17 (fetch_reply)`: how titles name a place. */
export function where(f: Frame | undefined): string {
  if (!f) return 'an unknown place';
  const file = f.file.slice(f.file.replace(/\\/g, '/').lastIndexOf('/') + 1) || f.file;
  return `${clipName(file, 60)}:${f.line} (${clipName(f.function, 60)})`;
}
