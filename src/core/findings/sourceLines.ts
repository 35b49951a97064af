// The user's source lines behind frames. py-spy without --native ends at the Python caller of a C
// call, so the line itself (`sock.recv(1024)`, `with lock_b:`) is often the best evidence of a wait.
import { readFile, stat } from 'node:fs/promises';
import type { Frame } from '../model';

const MAX_FILE_BYTES = 2 * 1024 * 1024;

/** Reads a file where the process lives (an ssh host), for the user's frames with no local copy. */
export type RemoteReader = (path: string) => Promise<string>;

export class SourceLines {
  private readonly files = new Map<string, Promise<string[] | undefined>>();

  constructor(private readonly readRemote?: RemoteReader) {}

  /**
   * All lines of a frame's local file, or of the file on its host when the frame is the user's
   * code without a local copy (the mapper marks those only where the host can serve them);
   * undefined when there is neither or it cannot be read.
   */
  lines(frame: Frame): Promise<string[] | undefined> {
    const local = frame.localFile;
    const remote = !local && frame.isUserCode && this.readRemote && frame.file.startsWith('/') ? frame.file : undefined;
    if (local) return this.file(local);
    if (!remote) return Promise.resolve(undefined);
    return this.cached(`remote:${remote}`, async () => {
      const text = await this.readRemote!(remote);
      return text.length > MAX_FILE_BYTES ? undefined : text.split(/\r?\n/);
    });
  }

  /** All lines of a local file (another module of the user's, beside a frame's), or undefined. */
  file(path: string): Promise<string[] | undefined> {
    return this.cached(path, async () => {
      if ((await stat(path)).size > MAX_FILE_BYTES) return undefined;
      return (await readFile(path, 'utf8')).split(/\r?\n/);
    });
  }

  private cached(key: string, read: () => Promise<string[] | undefined>): Promise<string[] | undefined> {
    let hit = this.files.get(key);
    if (!hit) {
      hit = read().catch(() => undefined);
      this.files.set(key, hit);
    }
    return hit;
  }

  /** The frame's own line, or undefined. */
  async line(frame: Frame): Promise<string | undefined> {
    if (frame.line < 1) return undefined;
    return (await this.lines(frame))?.[frame.line - 1];
  }
}
