// A Python signal handler the program installs, found in the source of the user's files on a
// thread's stack: `signal.signal(signal.SIGTERM, …)`, `loop.add_signal_handler(SIGINT, …)`. A main
// thread waiting for an Event, a Condition or a queue while such a handler exists is usually a
// service at rest: the handler (run in the main thread) sets what it waits for when the signal comes.
import type { ThreadStack } from '../model';
import { where } from './frames';
import type { SourceLines } from './sourceLines';

/**
 * `signal.signal(SIGTERM, …)`, `signal(sig, …)` after `from signal import signal`, an asyncio loop's
 * `add_signal_handler(SIGINT, …)`: the signal (a name, or an expression) and the handler.
 */
const INSTALLS = /(?:\bsignal\s*\.\s*signal|(?<![\w.])signal|\badd_signal_handler)\s*\(\s*([^,'"()]+?)\s*,\s*([^\s)][^\n]*)/;
/** Handlers that restore a default rather than act. */
const NOT_A_HANDLER = /^(?:signal\s*\.\s*)?(?:Handlers\s*\.\s*)?SIG_(?:DFL|IGN)\b/;

export interface SignalHandler {
  /** `SIGTERM`, or `signal` when the code passes it in a variable. */
  signal: string;
  /** `p.py:8` */
  at: string;
}

/** The first signal handler the user's files on `t`'s stack install (SIGINT's default KeyboardInterrupt is not one). */
export async function signalHandlerOf(t: ThreadStack, source: SourceLines): Promise<SignalHandler | undefined> {
  const seen = new Set<string>();
  for (const f of t.frames) {
    if (f.native || !f.isUserCode || seen.has(f.file)) continue;
    seen.add(f.file);
    const lines = await source.lines(f);
    if (!lines) continue;
    for (let i = 0; i < lines.length; i++) {
      const code = lines[i]!.replace(/#.*$/, '');
      const m = INSTALLS.exec(code);
      if (!m || NOT_A_HANDLER.test(m[2]!.trim())) continue;
      const name = /\b(SIG[A-Z0-9]+)$/.exec(m[1]!)?.[1] ?? 'signal';
      return { signal: name, at: where({ ...f, line: i + 1, function: '' }).replace(/ \(\)$/, '') };
    }
  }
  return undefined;
}
