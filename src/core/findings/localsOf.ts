// Reading what py-spy's --locals shows: object addresses (`<Thread at 0x7f…>`), strings
// (`"blob.example:443"`), and which frames hold which locals. Finding rules use them to tell which
// thread a join waits for, which threads hold a queue, which host a socket was opened to.
import type { Frame, LocalVariable, ThreadStack } from '../model';

/** `<Thread at 0x7f3df5a4de10>` → `{ type: 'Thread', address: '7f3df5a4de10' }`. */
export function objectRef(repr: string | undefined): { type: string; address: string } | undefined {
  const m = /^<([\w.]+) at 0x([0-9a-f]+)>$/i.exec(repr?.trim() ?? '');
  return m ? { type: m[1]!, address: BigInt(`0x${m[2]}`).toString(16) } : undefined;
}

/** Every object address a repr mentions (a list or dict of objects mentions several). */
export function addressesIn(repr: string | undefined): string[] {
  return [...(repr ?? '').matchAll(/<[\w.]+ at 0x([0-9a-f]+)>/gi)].map((m) => BigInt(`0x${m[1]}`).toString(16));
}

/** A py-spy string repr (`"localhost:8080"`) → its text; undefined for anything else. */
export function stringValue(repr: string | undefined): string | undefined {
  const m = /^"(.*)"$/s.exec(repr?.trim() ?? '') ?? /^'(.*)'$/s.exec(repr?.trim() ?? '');
  return m ? m[1] : undefined;
}

export function local(f: Frame, name: string): LocalVariable | undefined {
  return f.locals?.find((l) => l.name === name);
}

/** The address of the frame's `self`, when --locals read it. */
export function selfAddress(f: Frame): string | undefined {
  return objectRef(local(f, 'self')?.repr)?.address;
}

/** Does any frame of the thread hold a local that refers to this object? */
export function holds(t: ThreadStack, address: string): boolean {
  return t.frames.some((f) => f.locals?.some((l) => addressesIn(l.repr).includes(address)));
}

/** True when the dump carries locals (py-spy --locals, or a re-read for the rules). */
export function hasLocals(threads: readonly ThreadStack[]): boolean {
  return threads.some((t) => t.frames.some((f) => f.locals !== undefined));
}

/**
 * Copies locals from a second read of the same process onto these threads' frames (matched by
 * thread id and frame function, file and line), where they have none. The stacks stood still, so
 * the same thread shows the same frames.
 */
export function withLocalsFrom(threads: readonly ThreadStack[], read: readonly ThreadStack[]): ThreadStack[] {
  return threads.map((t) => {
    const other = read.find((o) => o.id === t.id);
    if (!other) return t;
    let j = 0;
    const frames = t.frames.map((f) => {
      if (f.native || f.locals) return f;
      let k = j;
      while (k < other.frames.length && !(other.frames[k]!.function === f.function && other.frames[k]!.line === f.line && other.frames[k]!.file === f.file))
        k++;
      const match = other.frames[k];
      if (!match) return f;
      j = k + 1;
      return match.locals ? { ...f, locals: match.locals } : f;
    });
    return { ...t, frames };
  });
}
