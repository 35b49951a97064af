// "Auto" backend choice: py-spy first (fast, never needs debug info); gdb when py-spy cannot
// read the interpreter, or when the user asked for native frames and py-spy's native unwinding
// failed or could not name the innermost native frames. The dump says which backend made it and why.
// A missing py-spy is not a reason: its error says how to install it. Native frames never cost Python
// frames: when gdb cannot read the Python frames py-spy read, py-spy's dump stays, with gdb's names
// for its native frames (nativeMerge.ts).
import { errorMessage, SnagError } from '../errors';
import type { BackendId, StackDump } from '../model';
import type { Target } from '../targets/target';
import type { Backend, DumpRequest } from './backend';
import { losesPythonFrames, mergeNativeNames, UNNAMED } from './nativeMerge';

export type BackendChoice = 'auto' | BackendId;
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'py-spy', 'gdb'];

export function isBackendChoice(s: string): s is BackendChoice {
  return (BACKEND_CHOICES as readonly string[]).includes(s);
}

const UNRESOLVED = UNNAMED;

/** Threads whose innermost frame (what the thread waits in) is native code py-spy could not name. */
export function unresolvedNativeThreads(dump: StackDump): string[] {
  return dump.threads.filter((t) => t.frames[0]?.native && UNRESOLVED.test(t.frames[0].function)).map((t) => t.name);
}

/**
 * py-spy failures gdb may get past: py-spy cannot read this interpreter, or failed reading it.
 * Not a missing py-spy (the fix is to install or configure it), nor refusals gdb would meet too.
 */
export function gdbMayHelp(err: unknown): boolean {
  return SnagError.is(err, 'unsupported-python') || SnagError.is(err, 'tool-failed');
}

export class AutoBackend implements Backend {
  // The dump carries the id of the backend that made it; this one only chooses.
  readonly id = 'py-spy' as const;
  constructor(
    private readonly pyspy: Backend,
    private readonly gdb: Backend,
  ) {}

  async dump(target: Target, pid: number, req: DumpRequest): Promise<StackDump> {
    const { pyspy, gdb } = this;
    let first: StackDump;
    try {
      first = await pyspy.dump(target, pid, req);
    } catch (err) {
      // gdb always pauses the process, which a non-blocking dump promised not to do.
      if (req.nonblocking || !gdbMayHelp(err)) throw err;
      return this.withGdb(gdb, target, pid, req, `py-spy failed (${errorMessage(err)}); read with gdb instead.`, err);
    }
    if (!req.native || req.nonblocking) return first;
    const unresolved = unresolvedNativeThreads(first);
    if (unresolved.length === 0) return first;
    const why = `py-spy could not name the innermost native frames of ${unresolved.join(', ')}; read with gdb instead.`;
    try {
      const second = await gdb.dump(target, pid, req);
      // gdb without the interpreter's debug info reads native frames only: keep py-spy's Python frames.
      if (losesPythonFrames(first, second))
        return mergeNativeNames(first, second, `py-spy could not name the innermost native frames of ${unresolved.join(', ')}; gdb named them.`);
      second.notes = [why, ...(second.notes ?? [])];
      return second;
    } catch (err) {
      if (SnagError.is(err, 'cancelled')) throw err;
      // gdb is missing or refused: py-spy's dump is still worth showing, with the reason.
      (first.notes ??= []).push(
        `The innermost native frames of ${unresolved.join(', ')} are shown as addresses: gdb could not add their names (${errorMessage(err).replace(/\.$/, '')}).`,
      );
      return first;
    }
  }

  private async withGdb(gdb: Backend, target: Target, pid: number, req: DumpRequest, why: string, pyspyError?: unknown): Promise<StackDump> {
    try {
      const dump = await gdb.dump(target, pid, req);
      dump.notes = [why, ...(dump.notes ?? [])];
      return dump;
    } catch (err) {
      // When gdb is not there, py-spy's own error is the one to show.
      if (pyspyError && SnagError.is(err, 'tool-not-found')) throw pyspyError;
      throw err;
    }
  }
}

/** The backend for a user's choice: one of the two, or Auto over both. */
export function chooseBackend(choice: BackendChoice, pyspy: Backend, gdb: Backend): Backend {
  if (choice === 'py-spy') return pyspy;
  if (choice === 'gdb') return gdb;
  return new AutoBackend(pyspy, gdb);
}
