// The folder for ssh's ControlMaster sockets. Whoever can connect to a socket there can run
// commands as the user on that host, so it must be private: owned by us, mode 0700, not a
// symlink. A stable per-user folder lets consecutive `snag` runs and the extension share one
// connection per host (ControlPersist keeps it open for a minute after the last use).
// Synchronous on purpose: runners build their argv synchronously, and this is two syscalls.
import { lstatSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// ssh binds `<ControlPath>.<16 random chars>` first, and a Unix socket path holds at most 104
// bytes on some systems: leave room for `/%C` (40 hex chars) and that suffix.
const MAX_DIR_LENGTH = 104 - 1 - 40 - 17 - 1;

function isPrivateDir(dir: string): boolean {
  try {
    const st = lstatSync(dir);
    const uid = process.getuid?.();
    return st.isDirectory() && !st.isSymbolicLink() && (uid === undefined || st.uid === uid) && (st.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

/** A private folder for control sockets (created when needed). */
export function sshControlDir(preferred?: string): string {
  const uid = process.getuid?.() ?? 'user';
  const runtime = process.env.XDG_RUNTIME_DIR;
  const candidates = preferred ? [preferred] : [runtime && join(runtime, 'snag-ssh'), join(tmpdir(), `snag-ssh-${uid}`), `/tmp/snag-ssh-${uid}`];
  for (const dir of candidates) {
    if (!dir || dir.length > MAX_DIR_LENGTH) continue;
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') continue;
    }
    if (isPrivateDir(dir)) return dir;
  }
  // Someone else owns the usual folder, or it is too long: a fresh private one for this run.
  return mkdtempSync(join(tmpdir().length <= MAX_DIR_LENGTH - 7 ? tmpdir() : '/tmp', 'snag-ssh-'));
}
