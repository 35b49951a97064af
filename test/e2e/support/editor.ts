// What the tests read back from the workbench's active editor: the cursor line (status bar),
// the text Snag's decorations render after a line, and a line's element (for hovering).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { UI_TIMEOUT_MS } from './workbench';

/** The 1-based line of the first line of `file` that contains `snippet`. */
export function lineContaining(file: string, snippet: string): number {
  const i = readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(snippet));
  assert.ok(i >= 0, `${snippet} not in ${file}`);
  return i + 1;
}

/** The little of the DOM these page functions use (the project compiles without lib "dom"). */
interface El {
  querySelectorAll(selector: string): Iterable<El>;
  readonly parentElement: El | null;
  readonly textContent: string | null;
  readonly style: { top: string };
}
type ComputedStyle = (el: El, pseudo: string) => { content: string };

function activeEditor(page: Page): Locator {
  return page.locator('.editor-group-container.active .monaco-editor').first();
}

/** Polls `read` until it matches (the workbench renders asynchronously); returns the last value. */
async function poll<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: (v: T) => string): Promise<T> {
  const deadline = Date.now() + UI_TIMEOUT_MS;
  let v = await read();
  while (!ok(v)) {
    if (Date.now() > deadline) throw new Error(what(v));
    await new Promise((r) => setTimeout(r, 200));
    v = await read();
  }
  return v;
}

/** Waits until the status bar says the cursor is on `line` (`Ln 13, Col 1`). */
export async function waitForCursorLine(page: Page, line: number): Promise<void> {
  const item = page.locator('[id="status.editor.selection"]');
  await poll(
    async () => (await item.textContent().catch(() => '')) ?? '',
    (text) => new RegExp(`Ln ${line},`).test(text),
    (text) => `the cursor never reached line ${line}; status bar: ${text}`,
  );
}

/** The `after` texts decorations render on each line of the active editor, by line number. */
export async function afterTexts(page: Page): Promise<Map<number, string>> {
  const rows = await activeEditor(page).evaluate((editor: El) => {
    const style = (globalThis as unknown as { getComputedStyle: ComputedStyle }).getComputedStyle;
    // Line numbers and text lines are separate layers; the same `top` puts them on one line.
    const numbers = new Map<string, string>();
    for (const n of editor.querySelectorAll('.margin-view-overlays .line-numbers')) numbers.set(n.parentElement?.style.top ?? '', n.textContent?.trim() ?? '');
    const out: [number, string][] = [];
    for (const line of editor.querySelectorAll('.view-lines .view-line')) {
      const after = [...line.querySelectorAll('span')]
        .map((s) => style(s, '::after').content)
        .filter((c) => c && c !== 'none' && c !== 'normal')
        .map((c) => c.replace(/^"|"$/g, ''))
        .join(' ');
      if (after) out.push([Number(numbers.get(line.style.top)), after]);
    }
    return out;
  });
  return new Map(rows);
}

/** Waits until line `line` carries an after-text matching `pattern`; returns all lines' texts. */
export function waitForAfterText(page: Page, line: number, pattern: RegExp): Promise<Map<number, string>> {
  return poll(
    () => afterTexts(page),
    (texts) => pattern.test(texts.get(line) ?? ''),
    (texts) => `no decoration matching ${pattern} on line ${line}; decorations: ${JSON.stringify([...texts])}`,
  );
}

/** The rendered text of line `line` in the active editor (it must be on screen). */
export async function editorLine(page: Page, line: number): Promise<Locator> {
  const editor = activeEditor(page);
  const top = await editor.evaluate((el: El, n) => {
    const num = [...el.querySelectorAll('.margin-view-overlays .line-numbers')].find((x) => x.textContent?.trim() === String(n));
    return num?.parentElement?.style.top;
  }, line);
  if (top === undefined) throw new Error(`line ${line} is not rendered`);
  return editor.locator(`.view-lines .view-line[style*="top:${top}"], .view-lines .view-line[style*="top: ${top}"]`);
}

/** The gutter icon a decoration puts on line `line` of the active editor (it must be on screen). */
export async function gutterIcon(page: Page, line: number): Promise<Locator> {
  const editor = activeEditor(page);
  const top = await editor.evaluate((el: El, n) => {
    const num = [...el.querySelectorAll('.margin-view-overlays .line-numbers')].find((x) => x.textContent?.trim() === String(n));
    return num?.parentElement?.style.top;
  }, line);
  if (top === undefined) throw new Error(`line ${line} is not rendered`);
  return editor.locator(`.glyph-margin-widgets .cgmr[style*="top:${top}"], .glyph-margin-widgets .cgmr[style*="top: ${top}"]`).first();
}

/** The line number of line `line` in the active editor's gutter (it must be on screen). */
export function lineNumberCell(page: Page, line: number): Locator {
  return activeEditor(page)
    .locator('.margin-view-overlays .line-numbers')
    .filter({ hasText: new RegExp(`^\\s*${line}\\s*$`) })
    .first();
}
