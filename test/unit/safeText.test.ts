// The neutraliser every rendered text from the target goes through, and the Markdown helpers on top of it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { codeBlock, codeSpan, escapeMarkdown, iconFreeText, markdownWithCode, tableCode } from '../../src/core/text/markdown';
import { hasUnsafeText, safeLines, safeText } from '../../src/core/text/safeText';

/** Anything a terminal, a tree row or a Markdown renderer would act on instead of showing. */
const RAW =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb\u{e0000}-\u{e007f}]/u;

describe('safeText', () => {
  it('shows ESC, BEL, newlines and tabs as visible escapes', () => {
    assert.equal(safeText('\x1b]0;pwned\x07'), '\\e]0;pwned\\x07');
    assert.equal(safeText('\x1b[2J'), '\\e[2J');
    assert.equal(safeText('a\nThread 1 (active): "FORGED"'), 'a\\nThread 1 (active): "FORGED"');
    assert.equal(safeText('a\r\tb\x00\x7f'), 'a\\r\\tb\\x00\\x7f');
  });

  it('escapes C1 controls (CSI U+009B drives some terminals) and line/paragraph separators', () => {
    assert.equal(safeText('\u009b2J'), '\\x9b2J');
    assert.equal(safeText('a\u2028b\u2029c\u0085'), 'a\\u2028b\\u2029c\\x85');
  });

  it('escapes every bidi override, embedding, isolate and mark', () => {
    for (const c of ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f', '\u061c']) {
      const out = safeText(`x${c}y`);
      assert.equal(out, `x\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}y`);
    }
  });

  it('escapes invisible characters that make two names look alike, astral tag characters too', () => {
    assert.equal(safeText('Main\u200bThread\ufeff'), 'Main\\u200bThread\\ufeff');
    assert.equal(safeText('a\u{e0041}b'), 'a\\u{e0041}b');
  });

  it('keeps ordinary text, accents, scripts and emoji (ZWJ sequences included) exactly', () => {
    for (const s of ['MainThread', 'worker-1 · /app/w.py:12', 'naïve Ünïcode', 'עברית', 'شبكة', '日本語', '👩‍💻', 'a\\nb']) assert.equal(safeText(s), s);
  });

  it('is idempotent, and its output has nothing raw left', () => {
    const hostile = '\x1b]0;pwned\x07\x1b[2J\nThread 1 (active): "FORGED"\u202eevil\u0000';
    const once = safeText(hostile);
    assert.equal(safeText(once), once);
    assert.doesNotMatch(once, RAW);
    assert.equal(hasUnsafeText(once), false);
  });

  it('hasUnsafeText says whether safeText would change the string, repeatedly (no regex state left over)', () => {
    assert.equal(hasUnsafeText('plain'), false);
    for (let i = 0; i < 3; i++) assert.equal(hasUnsafeText('x\u202e'), true);
  });

  it('renders a non-string (a malformed tool output) instead of throwing', () => {
    assert.equal(safeText(42 as unknown as string), '42');
    assert.equal(safeText(null as unknown as string), 'null');
  });

  it('safeLines keeps the line breaks Snag made and neutralises the rest', () => {
    assert.equal(safeLines('one\x1b[2J\ntwo\u202e'), 'one\\e[2J\ntwo\\u202e');
  });
});

describe('Markdown from untrusted text', () => {
  it('escapeMarkdown: no link, command link, image, HTML, entity, autolink or theme icon survives', () => {
    const md = escapeMarkdown('[x](command:snag.openFrame?%5B%5D) ![i](http://e/x.png) <img src=x> &rlm; https://evil.example $(check)');
    assert.doesNotMatch(md, /(^|[^\\])\[/);
    assert.doesNotMatch(md, /(^|[^\\])\(/);
    assert.doesNotMatch(md, /(^|[^\\])</);
    assert.doesNotMatch(md, /(^|[^\\])&/);
    assert.doesNotMatch(md, /https:\/\//);
    assert.doesNotMatch(md, /(^|[^\\])\$/);
  });

  it('escapeMarkdown neutralises control and bidi characters before escaping', () => {
    assert.equal(escapeMarkdown('a\u202eb\nc'), 'a\\\\u202eb\\\\nc');
  });

  it('markdownWithCode keeps backtick spans as code, neutralised, and escapes the rest', () => {
    assert.equal(markdownWithCode('waits for `lock\u202e` in [x](y)'), 'waits for `lock\\u202e` in \\[x\\]\\(y\\)');
  });

  it('codeSpan holds names with backticks: the fence is longer than any run inside', () => {
    assert.equal(codeSpan('recv'), '`recv`');
    assert.equal(codeSpan('a`b'), '``a`b``');
    assert.equal(codeSpan('`x`'), '`` `x` ``');
    assert.equal(codeSpan('x\x1b[2J'), '`x\\e[2J`');
  });

  it('codeBlock: a line of ``` cannot close the block early', () => {
    const block = codeBlock(['f (a.py:1)', '```', '[x](command:evil)'], 'text');
    const lines = block.split('\n');
    assert.equal(lines[0], '````text');
    assert.equal(lines.at(-1), '````');
    assert.equal(lines.length, 5);
    assert.equal(codeBlock(['a\nb']).split('\n').length, 3, 'a newline inside a line is shown, not a new line');
  });

  it('tableCode escapes | even inside code (GFM splits cells there)', () => {
    assert.equal(tableCode('a|b'), '`a\\|b`');
  });

  it('iconFreeText escapes $( so a label shows it instead of an icon', () => {
    assert.equal(iconFreeText('$(check) prod\u202e'), '\\$(check) prod\\u202e');
  });
});
