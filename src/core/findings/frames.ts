// Frame helpers the finding rules share: which frame is which, and how to name a place in a title.
import { standsAt } from '../stacks/standing';
import type { Finding, Frame, ThreadStack } from '../model';

/**
 * Is this the Python function `name` of a file ending in `fileSuffix`? Accepts py-spy's qualified
 * names (`Condition.wait`, Python ≥ 3.11) and bare ones (`wait`, older Pythons) alike.
 */
export function isFrame(f: Frame, fileSuffix: string, ...names: string[]): boolean {
  if (f.native || !(f.file.endsWith(fileSuffix) || (f.file.includes('\\') && f.file.replace(/\\/g, '/').endsWith(fileSuffix)))) return false;
  const fn = f.function;
  // A qualified name (3.11+) must match in full: `Barrier.wait` is not `Event.wait`.
  if (fn.includes('.')) return names.includes(fn);
  // Otherwise the name's last part (`wait` of `Event.wait`), compared without cutting strings:
  // this runs for every frame of every thread under every rule.
  return names.some((n) => n === fn || (n.endsWith(fn) && n.charCodeAt(n.length - fn.length - 1) === 46));
}

/** The function's own name without its class (`__del__` of `Resource.__del__`). */
export function bareName(f: Frame): string {
  return f.function.slice(f.function.lastIndexOf('.') + 1);
}

/** The innermost Python frame: where Python code called into C (the blocking call's caller). */
export function callSite(t: ThreadStack): Frame | undefined {
  return t.frames.find((f) => !f.native);
}

/** Native frames inside the innermost Python frame (present with --native or gdb). */
export function nativeInner(t: ThreadStack): Frame[] {
  const i = t.frames.findIndex((f) => !f.native);
  return i < 0 ? t.frames : t.frames.slice(0, i);
}

/** The frame a finding points at: where the thread stands (stacks/standing.ts: the one rule). */
export function anchorFrame(t: ThreadStack): Frame | undefined {
  return standsAt(t.frames);
}

export { clipName, where } from '../stacks/frameText';

export function findingFrame(f: Frame | undefined): Finding['frame'] {
  if (!f) return undefined;
  return { file: f.file, line: f.line, ...(f.localFile ? { localFile: f.localFile } : {}) };
}
