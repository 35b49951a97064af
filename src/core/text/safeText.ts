// Text that came from the target (thread, file, function and process names, command lines,
// locals, tool output) is untrusted: an ESC sequence can clear a terminal or set its title, a
// newline can forge a "Thread 1 …" line, a right-to-left override can reverse a row's text.
// Everything Snag renders for a person passes through safeText(); only --json keeps exact strings.

/**
 * C0 controls, DEL, C1 controls (CSI U+009B starts an escape sequence on some terminals); bidi
 * embeddings, overrides, isolates and marks; line/paragraph separators; and invisible format
 * characters that make two different names look the same (zero-width space, word joiner and
 * invisible operators, BOM, interlinear annotations, tag characters). ZWJ/ZWNJ stay: emoji and
 * several scripts need them.
 */
const UNSAFE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb\u{e0000}-\u{e007f}]/gu;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\x1b': '\\e' };

function escapeChar(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.codePointAt(0)!;
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
  return code <= 0xffff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\u{${code.toString(16)}}`;
}

/** The string with every control and bidi character shown as a visible escape (`\e`, `\n`, `\u202e`). */
export function safeText(s: string): string {
  // A malformed tool output can put a number or null where a name belongs: render it, never throw.
  return (typeof s === 'string' ? s : String(s)).replace(UNSAFE, escapeChar);
}

/**
 * A name for inside double quotes: its own quotes and backslashes escaped, so a thread named
 * `x" (active): "y` reads as one name, not as a second field. Render the result (safeText, escapeMarkdown).
 */
export function escapeQuotes(s: string): string {
  return (typeof s === 'string' ? s : String(s)).replace(/["\\]/g, '\\$&');
}

/** True when safeText would change the string. */
export function hasUnsafeText(s: string): boolean {
  UNSAFE.lastIndex = 0;
  const found = UNSAFE.test(s);
  UNSAFE.lastIndex = 0;
  return found;
}

/**
 * For multi-line texts Snag builds itself (a report, a hover): neutralises every line's content but
 * keeps the newlines Snag put there. Use only on text whose line breaks Snag made; fields from the
 * target go through safeText() before they are joined.
 */
export function safeLines(s: string): string {
  return s.split('\n').map(safeText).join('\n');
}
