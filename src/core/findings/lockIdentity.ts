// Whether the lock one thread holds in `with X:` is the lock another waits for. Names are the
// source's, so `lock` in two functions may be two locks and `lk` and `lock` may be one; with
// --locals py-spy gives each local's address (`<_thread.lock at 0x7f…>`), which settles it when
// both frames show the lock's root object. An index read from a local (`locks[key]`, with `key` a
// string or a number in the frame's locals) is resolved to its value, so `accounts[src]` in one
// thread and `accounts[dst]` in another are one lock when src and dst hold the same key. Without
// locals, equal names are taken as one lock.
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

/** A local's value as an index, when it is a plain string or number (`"store"` → `'store'`, `3`). */
function indexValue(frame: Frame | undefined, name: string): string | undefined {
  const repr = frame?.locals?.find((l) => l.name === name)?.repr?.trim();
  if (!repr) return undefined;
  if (/^-?\d+$/.test(repr)) return repr;
  const m = /^"([^"\\]*)"$/.exec(repr) ?? /^'([^'\\]*)'$/.exec(repr);
  return m ? `'${m[1]}'` : undefined;
}

/** The expression with each `[name]` index read from the frame's locals: `accounts[dst]` → `accounts['store']`. */
export function resolvedExpr(ref: LockRef): string {
  return ref.expr.replace(/\[\s*([A-Za-z_]\w*)\s*\]/g, (whole, name: string) => {
    const v = indexValue(ref.frame, name);
    return v ? `[${v}]` : whole;
  });
}

/** `accounts[src]` → `accounts`: a lock taken from a container by an index (undefined for other expressions). */
export function indexedContainer(expr: string): string | undefined {
  return /^([A-Za-z_][\w.]*)\[[^\]]+\]$/.exec(expr)?.[1];
}

/** Is the expression's index still a name no local resolved (`accounts[dst]` without locals)? */
export function unresolvedIndex(ref: LockRef): boolean {
  return /\[\s*[A-Za-z_]\w*\s*\]/.test(resolvedExpr(ref));
}

/** The object behind the expression when the frame's locals show it (`0x7f…._lock`), else undefined. */
export function lockAddress(ref: LockRef): string | undefined {
  const [root, path] = split(resolvedExpr(ref));
  const addr = addressOf(ref.frame, root);
  return addr ? `${addr}${path}` : undefined;
}

/** One key per lock: its address when known, else its name (indexes resolved where the locals show them). */
export function lockKey(ref: LockRef): string {
  return lockAddress(ref) ?? `name:${resolvedExpr(ref)}`;
}

export function sameLock(a: LockRef, b: LockRef): boolean {
  const x = lockAddress(a);
  const y = lockAddress(b);
  return x && y ? x === y : resolvedExpr(a) === resolvedExpr(b);
}
