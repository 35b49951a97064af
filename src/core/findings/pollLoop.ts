// A wait with a short timeout inside a loop that does nothing else: the thread polls. Seen on one
// line for longer than its timeout, the call has returned and been made again and again, so the
// thread is not resting between jobs; it waits for the loop's condition, which has not come true.
// Read from the source: the loop around the line, its condition, and what else its body does.
import type { Frame } from '../model';
import type { SourceLines } from './sourceLines';

export interface PollLoop {
  /**
   * What keeps it polling, said as it reads: "until `os.path.exists(path)`" for `while not
   * os.path.exists(path):`, "while `lock.exists()`" for `while lock.exists():`; undefined when the
   * loop ends only once the wait itself succeeds (a `get(timeout=…)` retried on queue.Empty).
   */
  ends?: string;
  /** Seconds each wait lasts, when the line says it with a number. */
  every?: number;
  /** 1-based line of the `while`. */
  line: number;
  /** The condition reads as a stop flag (`while not stop.is_set()`): a thread at rest until shutdown. */
  stopFlag: boolean;
}

const indentOf = (l: string) => /^\s*/.exec(l)![0].replace(/\t/g, '        ').length;
/** A short wait's duration on its line: sleep(0.2), get(timeout=0.1), wait(0.5), join(1). */
const WAIT_SECONDS = /\b(?:sleep|wait|get|join|acquire|poll|select)\s*\((?:[^()]*?,\s*)?(?:timeout\s*=\s*)?(\d+(?:\.\d+)?|\.\d+)\s*\)/;
/** Statements that only steer the loop. */
const CONTROL = /^(try\s*:|except\b.*:|else\s*:|finally\s*:|pass|continue|break|return\b.*|if\b.*:\s*(break|return\b.*|continue)?|elif\b.*:|\.\.\.)$/;
const STOP_WORDS = /(?<![a-z])(stop|stopp|shutdown|shut_down|exit|quit|terminat|running|alive|closed|closing|cancel|done_event|finished|kill)/i;

/** The loop `frame`'s line waits in, when the body does nothing but wait and steer; else undefined. */
export async function pollLoop(frame: Frame | undefined, source: SourceLines): Promise<PollLoop | undefined> {
  if (!frame || frame.line < 1) return undefined;
  const lines = await source.lines(frame);
  const row = frame.line - 1;
  const waitLine = lines?.[row];
  if (!lines || !waitLine) return undefined;
  // The nearest `while` above with less indent (the loop the line is in).
  let indent = indentOf(waitLine);
  let head = -1;
  for (let i = row - 1; i >= 0 && i >= row - 40; i--) {
    const l = lines[i]!;
    if (!l.trim() || l.trim().startsWith('#')) continue;
    const ind = indentOf(l);
    if (ind >= indent) continue;
    if (/^\s*while\b/.test(l)) {
      head = i;
      break;
    }
    if (/^\s*((async\s+)?def|class|for|with)\b/.test(l)) return undefined;
    indent = ind;
  }
  if (head < 0) return undefined;
  const loopIndent = indentOf(lines[head]!);
  // A condition over several lines (inside parentheses) is read to its closing `:`.
  let condEnd = head;
  let header = lines[head]!.replace(/\s+#.*$/, '');
  while (openBrackets(header) > 0 && condEnd < head + 10 && condEnd + 1 < lines.length) header += ` ${lines[++condEnd]!.trim().replace(/\s+#.*$/, '')}`;
  const whole = /^\s*while\s+(.*?)\s*:\s*$/.exec(header)?.[1];
  if (!whole) return undefined;
  const cond = whole.replace(/^\((.*)\)$/, '$1').replace(/\s+/g, ' ');
  // "until X" only for `not X` as a whole: `not a and b` is no "until a and b".
  const negated = cond.startsWith('not ') && !/\s(and|or)\s/.test(cond) ? cond.slice(4).trim() : undefined;
  let ends: string | undefined = /^(True|1)$/.test(cond) ? undefined : negated ? `until \`${negated.replace(/^\((.*)\)$/, '$1')}\`` : `while \`${cond}\``;
  // The body: every statement but the wait must steer the loop.
  let breakAfterWait = false;
  let pendingIf: string | undefined;
  for (let i = condEnd + 1; i < lines.length && i < condEnd + 40; i++) {
    const l = lines[i]!;
    const t = l.trim();
    if (!t || t.startsWith('#')) continue;
    if (indentOf(l) <= loopIndent) break;
    if (i === row) continue;
    const stmt = t.replace(/\s+#.*$/, '');
    if (!CONTROL.test(stmt)) return undefined;
    const ifBreak = /^if\s+(.*?)\s*:\s*(break|return\b.*)$/.exec(stmt);
    if (ifBreak && ends === undefined) ends = `until \`${ifBreak[1]}\``;
    const exits = /^(break|return\b.*)$/.test(stmt);
    // `if cond:` with the break on the next line.
    if (exits && pendingIf !== undefined && ends === undefined) ends = `until \`${pendingIf}\``;
    else if (exits && i > row) breakAfterWait = true;
    pendingIf = /^if\s+(.*?)\s*:$/.exec(stmt)?.[1];
  }
  if (ends === undefined && !breakAfterWait) return undefined;
  const every = WAIT_SECONDS.exec(waitLine)?.[1];
  return { ...(ends ? { ends } : {}), ...(every ? { every: Number(every) } : {}), line: head + 1, stopFlag: !!ends && STOP_WORDS.test(ends) };
}

/** Brackets opened and not closed on a line of code (strings read roughly: enough for a loop's header). */
function openBrackets(code: string): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < code.length; i++) {
    const c = code[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
  }
  return depth;
}
