// Untrusted text inside Markdown Snag builds (hovers, tooltips, Copy as Markdown, the comparison
// report). Neutralising control characters is not enough there: a thread named
// `[x](command:…)` must not become a (command) link, a backtick must not end a code span, a run
// of backticks must not close a code block, `&rlm;` must not turn into a bidi mark. Every helper
// here passes the text through safeText() first.
import { safeText } from './safeText';

/**
 * Escapes text for Markdown so it shows as written: names like `<module>` or `__init__`, and
 * nothing in it can start a link, an image, an HTML tag, an entity or a theme icon (`$(…)`).
 */
export function escapeMarkdown(s: string): string {
  return safeText(s).replace(/[\\`*_{}[\]()#+\-.!<>|~&"'$:]/g, (c) => `\\${c}`);
}

/** Text whose `backtick spans` are code: the spans kept as code, the rest escaped. */
export function markdownWithCode(text: string): string {
  return safeText(text)
    .split(/(`[^`]*`)/)
    .map((part) => (part.startsWith('`') && part.endsWith('`') && part.length > 1 ? part : escapeMarkdown(part)))
    .join('');
}

function longestRun(s: string, c: string): number {
  let longest = 0;
  let run = 0;
  for (const x of s) {
    run = x === c ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest;
}

/** An inline code span holding `s` exactly, however many backticks it contains. */
export function codeSpan(s: string): string {
  const text = safeText(s);
  const fence = '`'.repeat(longestRun(text, '`') + 1);
  // A span starting or ending with a backtick needs a space inside the fence (CommonMark strips one).
  const pad = text.startsWith('`') || text.endsWith('`') || text.startsWith(' ') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A fenced code block holding `lines` (already split by Snag): its fence is longer than any backtick run inside. */
export function codeBlock(lines: readonly string[], language = ''): string {
  const safe = lines.map(safeText);
  const fence = '`'.repeat(Math.max(3, ...safe.map((l) => longestRun(l, '`') + 1)));
  return `${fence}${language}\n${safe.join('\n')}\n${fence}`;
}

/** A code span for a GFM table cell, where `|` splits cells even inside code. */
export function tableCode(s: string): string {
  return codeSpan(s).replace(/\|/g, '\\|');
}

/**
 * For labels that render `$(icon)` syntax (quick-pick items, the status bar): the text neutralised
 * and every `$(` escaped, so a process named `$(check) prod` shows those characters, not an icon.
 */
export function iconFreeText(s: string): string {
  return safeText(s).replace(/\$\(/g, '\\$(');
}
