// Post-mortem in a real VS Code (code-server + Chromium): each text format Snag opens, as the real
// tools printed it about the stuck fixture programs (test/fixtures/outputs/open-*), is opened with
// "Open Dump…" (typed into the file dialog) or copied to the clipboard and pasted with "Paste Dump";
// the Stacks view shows it like a live dump, and clicking its frame lands on the hanging line with
// the marker on it. The recordings' paths are another machine's (/home/dev/snag/…): they map into
// the workspace by the usual rules. Screenshot: test-results/screenshots/opened-dump.png.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { hangLine, PROGRAMS, REPO } from '../support/programs';
import { waitForAfterText, waitForCursorLine } from './support/editor';
import { frameRowText, openWorkbench, type Workbench } from './support/workbench';

const OUTPUTS = join(REPO, 'test', 'fixtures', 'outputs');

/** The page's clipboard (the test's tsconfig has no DOM types). */
interface PageGlobals {
  navigator: { clipboard: { writeText(t: string): Promise<void>; readText(): Promise<string> } };
}

interface Case {
  file: string;
  how: 'open' | 'paste';
  /** The frame row to click: function, file and the fixture's SNAG-HANG tag. */
  func: string;
  program: string;
  tag: string;
  /** The thread whose marker the line gets. */
  thread: RegExp;
  /** Words the Stacks view's dump row says about the format. */
  described: RegExp;
}

const CASES: Case[] = [
  {
    file: 'open-pyspy-deadlock-locals.txt',
    how: 'open',
    func: 'transfer_a_to_b',
    program: 'deadlock.py',
    tag: 'a-waits-b',
    thread: /worker-a/,
    described: /py-spy dump text/,
  },
  {
    file: 'open-pyspy-socket-recv.json',
    how: 'paste',
    func: 'fetch_reply',
    program: 'socket_recv.py',
    tag: 'recv',
    thread: /MainThread/,
    described: /py-spy \(py-spy dump --json\)/,
  },
  { file: 'open-snag-deadlock.json', how: 'open', func: 'transfer_b_to_a', program: 'deadlock.py', tag: 'b-waits-a', thread: /worker-b/, described: /py-spy/ },
  {
    file: 'open-traceback-socket-recv-sigint.txt',
    how: 'paste',
    func: 'fetch_reply',
    program: 'socket_recv.py',
    tag: 'recv',
    thread: /MainThread/,
    described: /python \(traceback\)/,
  },
  {
    file: 'open-faulthandler-deadlock-py313.txt',
    how: 'paste',
    func: 'transfer_a_to_b',
    program: 'deadlock.py',
    tag: 'a-waits-b',
    thread: /Thread 0x/,
    described: /python \(faulthandler\)/,
  },
  {
    file: 'open-faulthandler-later-many-waiters-py312.txt',
    how: 'open',
    func: 'descend',
    program: 'many_waiters.py',
    tag: 'waiter',
    thread: /3 threads: Thread 0x/,
    described: /faulthandler/,
  },
  {
    file: 'open-gdb-deadlock-py-bt.txt',
    how: 'paste',
    func: 'transfer_b_to_a',
    program: 'deadlock.py',
    tag: 'b-waits-a',
    thread: /Thread \d+/,
    described: /gdb \(py-bt\)/,
  },
  {
    file: 'open-gdb-sleeping-bt-and-py-bt.txt',
    how: 'open',
    func: 'nap',
    program: 'sleeping_thread.py',
    tag: 'sleep',
    thread: /Thread \d+/,
    described: /gdb \(bt \+ py-bt\)/,
  },
];

async function openThroughDialog(wb: Workbench, path: string): Promise<void> {
  await wb.runCommand('Snag: Open Dump…');
  // code-server's file dialog is a quick input holding a path: type the file's, press Enter.
  const input = wb.page.locator('.quick-input-widget input');
  await input.waitFor();
  // The dialog first fills in its folder; typing before that would be overwritten.
  for (let i = 0; i < 50 && !(await input.inputValue()); i++) await wb.page.waitForTimeout(100);
  await input.fill(path);
  for (let i = 0; i < 50 && (await input.inputValue()) !== path; i++) {
    await wb.page.waitForTimeout(100);
    if (i % 10 === 9) await input.fill(path);
  }
  await wb.page.waitForTimeout(300); // the dialog lists the folder as the path is typed
  await wb.page.keyboard.press('Enter');
  // Under load the dialog may put its folder back after the path was typed, and stay open: type
  // the path again and confirm, until it closes.
  const widget = wb.page.locator('.quick-input-widget');
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      await widget.waitFor({ state: 'hidden', timeout: 3_000 });
      return;
    } catch {
      await input.fill(path);
      await wb.page.waitForTimeout(500);
      await wb.page.keyboard.press('Enter');
    }
  }
}

async function pasteThroughClipboard(wb: Workbench, text: string): Promise<void> {
  await wb.page.evaluate((t) => (globalThis as unknown as PageGlobals).navigator.clipboard.writeText(t), text);
  await wb.runCommand('Snag: Paste Dump');
}

test('Snag in a real VS Code workbench: open and paste recorded dumps, click a frame, land on the hanging line', { timeout: 420_000 }, async (t) => {
  const wb = await openWorkbench(t, { folder: PROGRAMS });
  if (!wb) return;
  const page = wb.page;
  await wb.openSnagView();
  // No live process is involved: the Processes view folded, the Stacks view gets the room.
  await wb.setExpanded(wb.view('Processes').locator('.pane-header'), false);

  for (const c of CASES) {
    await t.test(`${c.how === 'open' ? 'Open Dump…' : 'Paste Dump'}: ${c.file}`, async () => {
      const path = join(OUTPUTS, c.file);
      if (c.how === 'open') await openThroughDialog(wb, path);
      else await pasteThroughClipboard(wb, readFileSync(path, 'utf8'));
      // The new dump: its name in the view's title, its row saying how it was read (a paste's name is
      // the same each time: its format tells them apart).
      const header = c.how === 'open' ? c.file.replace(/[.]/g, '\\.') : 'pasted text';
      await wb
        .view('Stacks')
        .locator('.pane-header', { hasText: new RegExp(header) })
        .waitFor();
      await wb.treeRow(c.described, { view: 'Stacks' });
      const line = hangLine(c.program, c.tag);
      // The frame row, marked (`◀ here :LINE file`) or not (`file:LINE`).
      const frame = await wb.treeRow(new RegExp(`${frameRowText(c.func, c.program, line).source}|${frameRowText(c.func, c.program, line, false).source}`), {
        view: 'Stacks',
      });
      assert.match((await frame.getAttribute('aria-label')) ?? '', /stopped here/, 'where the thread stands is marked');
      if (c.file === 'open-gdb-deadlock-py-bt.txt') {
        await wb.settle();
        await wb.screenshot('opened-dump', wb.sideBar);
      }
      await wb.openFrame(frame, c.program);
      await waitForCursorLine(page, line);
      await waitForAfterText(page, line, new RegExp(`⏸ ${c.thread.source}`));
    });
  }

  await t.test('the opened dumps are in the history, and Copy Dump as Markdown copies the selected one', async () => {
    await wb.runCommand('Snag: Show Earlier Dump');
    const rows = page.locator('.quick-input-list .monaco-list-row');
    await rows.first().waitFor();
    const texts = await rows.allTextContents();
    assert.ok(texts.length >= CASES.length, `history lists the dumps: ${JSON.stringify(texts)}`);
    await page.keyboard.press('Escape');
    await wb.runCommand('Snag: Copy Dump as Markdown');
    await page
      .locator('.notification-toast', { hasText: /as Markdown/ })
      .first()
      .waitFor();
    const md = await page.evaluate(() => (globalThis as unknown as PageGlobals).navigator.clipboard.readText());
    assert.match(md, /^### /);
    assert.match(md, /nap|sleeping_thread\.py/);
  });

  await t.test('text that is no dump: one message naming what Snag reads', async () => {
    await pasteThroughClipboard(wb, 'hello, this is not a dump\n');
    const toast = page.locator('.notification-toast', { hasText: /found no stack dump in pasted text/ }).first();
    await toast.waitFor();
    assert.match((await toast.textContent()) ?? '', /faulthandler/);
  });
});
