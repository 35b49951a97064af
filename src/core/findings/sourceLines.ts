// The user's source lines behind frames. py-spy without --native ends at the Python caller of a C
// call, so the line itself (`sock.recv(1024)`, `with lock_b:`) is often the best evidence of a wait.
import { readFile, stat } from 'node:fs/promises';
import type { Frame } from '../model';

const MAX_FILE_BYTES = 2 * 1024 * 1024;

export class SourceLines {
  private readonly files = new Map<string, Promise<string[] | undefined>>();

  /** All lines of a frame's local file, or undefined when it is not mapped or unreadable. */
  lines(frame: Frame): Promise<string[] | undefined> {
    const path = frame.localFile;
    if (!path) return Promise.resolve(undefined);
    let hit = this.files.get(path);
    if (!hit) {
      hit = (async () => {
        try {
          if ((await stat(path)).size > MAX_FILE_BYTES) return undefined;
          return (await readFile(path, 'utf8')).split(/\r?\n/);
        } catch {
          return undefined;
        }
      })();
      this.files.set(path, hit);
    }
    return hit;
  }

  /** The frame's own line, or undefined. */
  async line(frame: Frame): Promise<string | undefined> {
    if (frame.line < 1) return undefined;
    return (await this.lines(frame))?.[frame.line - 1];
  }
}
