// Whether the lock one thread holds in `with X:` is the lock another waits for. Names are the
// source's, so `lock` in two functions may be two locks and `lk` and `lock` may be one; with
// --locals py-spy gives each local's address (`<_thread.lock at 0x7f…>`), which settles it when
// both frames show the lock's root object. Without locals, equal names are taken as one lock.
import type { Frame } from '../model';

/** py-spy's repr of an object it cannot print: `<_thread.lock at 0x7f1d6d87c980>`, `<Pool at 0x…>`. */
const ADDRESS = /\bat (0x[0-9a-f]+)>$/i;

/** `self._locks[key]` → ['self', '._locks[key]']: the local the expression starts from, and the rest. */
function split(expr: string): [string, string] {
  const root = /^[A-Za-z_]\w*/.exec(expr)?.[0] ?? expr;
  return [root, expr.slice(root.length)];
}

function addressOf(frame: Frame | undefined, name: string): string | undefined {
  const repr = frame?.locals?.find((l) => l.name === name)?.repr;
  return repr ? ADDRESS.exec(repr)?.[1]?.toLowerCase() : undefined;
}

export interface LockRef {
  /** The lock as the source names it: `work_lock`, `self._lock`. */
  expr: string;
  /** The frame whose line names it (its locals may show the object). */
  frame?: Frame;
}

/** The object behind the expression when the frame's locals show it (`0x7f…._lock`), else undefined. */
export function lockAddress(ref: LockRef): string | undefined {
  const [root, path] = split(ref.expr);
  const addr = addressOf(ref.frame, root);
  return addr ? `${addr}${path}` : undefined;
}

/** One key per lock: its address when known, else its name. */
export function lockKey(ref: LockRef): string {
  return lockAddress(ref) ?? `name:${ref.expr}`;
}

export function sameLock(a: LockRef, b: LockRef): boolean {
  const x = lockAddress(a);
  const y = lockAddress(b);
  return x && y ? x === y : a.expr === b.expr;
}
