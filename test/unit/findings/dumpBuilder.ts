// Builds StackDumps for finding-rule tests: Python frames of user code point at real files in a
// temp folder (the rules read source lines), library and native frames look as py-spy reports them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame, StackDump, ThreadStack } from '../../../src/core/model';

export class SourceDir {
  readonly root = mkdtempSync(join(tmpdir(), 'snag-findings-'));
  private texts = new Map<string, string>();

  /** Writes a user source file; returns its absolute path. */
  file(name: string, text: string): string {
    const p = join(this.root, name);
    writeFileSync(p, text);
    this.texts.set(p, text);
    return p;
  }

  /** The 1-based line holding `marker` in a file written here. */
  line(path: string, marker: string): number {
    const i = this.texts
      .get(path)!
      .split('\n')
      .findIndex((l) => l.includes(marker));
    if (i < 0) throw new Error(`no ${marker} in ${path}`);
    return i + 1;
  }

  /** A mapped user frame at the line holding `marker`. */
  user(fn: string, path: string, marker: string): Frame {
    return { function: fn, file: path, line: this.line(path, marker), native: false, localFile: path, isUserCode: true, origin: 'user' };
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

const STDLIB = '/usr/lib/python3.11';

/** A standard-library frame, e.g. lib('Thread.join', 'threading.py', 1119). */
export function lib(fn: string, rel: string, line = 1): Frame {
  return { function: fn, file: `${STDLIB}/${rel}`, line, native: false, isUserCode: false, origin: 'stdlib' };
}

/** A site-packages frame. */
export function pkg(fn: string, rel: string, line = 1): Frame {
  return { function: fn, file: `/srv/venv/lib/python3.11/site-packages/${rel}`, line, native: false, isUserCode: false, origin: 'site-packages' };
}

/** A native frame as py-spy --native reports it. */
export function nat(fn: string, module = 'libpython3.11.so.1.0'): Frame {
  return { function: fn, file: `/usr/lib/${module}`, line: 0, native: true, module, isUserCode: false, origin: 'native' };
}

/** An unmapped frame of code that is not in the workspace (`<string>`, a missing file). */
export function unmapped(fn: string, file: string, line: number): Frame {
  return { function: fn, file, line, native: false, isUserCode: false, origin: 'unknown' };
}

let nextId = 1000;
export function thread(name: string, frames: Frame[], opts: { active?: boolean } = {}): ThreadStack {
  return { id: nextId++, name, active: opts.active ?? false, ownsGil: false, frames };
}

export function dump(...threads: ThreadStack[]): StackDump {
  return { pid: 4242, backend: 'py-spy', takenAt: '2026-01-01T00:00:00.000Z', durationMs: 1, threads, findings: [] };
}

/** Thread bottoms py-spy shows under a thread's target. */
export const THREAD_BOOTSTRAP = [
  lib('Thread.run', 'threading.py', 982),
  lib('Thread._bootstrap_inner', 'threading.py', 1045),
  lib('Thread._bootstrap', 'threading.py', 1002),
];
