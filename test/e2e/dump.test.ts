// The whole product in a real VS Code (code-server 4.100 + Chromium): the packaged .vsix is
// installed, real stuck programs run, and the test clicks through what a user would:
// Snag view → right-click the process → Dump Stacks → click the frame → the hanging line, marked.
// One workbench serves all cases; they run in order and build on each other. The screenshots
// land in test-results/screenshots/ (`npm run screenshots` copies them to docs/screenshots/ for the README).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Locator } from 'playwright-core';
import { hangLine, processState, PROGRAMS, startProgram, type Started } from '../support/programs';
import { editorLine, lineContaining, waitForAfterText, waitForCursorLine } from './support/editor';
import { openWorkbench, type Workbench } from './support/workbench';

const SOCKET_RECV = join(PROGRAMS, 'socket_recv.py');

/** The process's row in the Processes view; narrows the view with the filter when the machine runs many. */
async function processRow(wb: Workbench, pid: number): Promise<Locator> {
  const text = new RegExp(`pid ${pid} ·`);
  try {
    return await wb.treeRow(text, { view: 'Processes', timeoutMs: 20_000 });
  } catch {
    await wb.runCommand('Snag: Filter Processes');
    await wb.page.keyboard.type(String(pid));
    await wb.page.keyboard.press('Enter');
    return wb.treeRow(text, { view: 'Processes' });
  }
}

test('Snag in a real VS Code workbench: dump a stuck process and land on its hanging line', { timeout: 300_000 }, async (t) => {
  const programs: Started[] = [];
  t.after(() => programs.forEach((p) => p.stop()));
  const socketRecv = await startProgram('socket_recv.py');
  programs.push(socketRecv);
  const deadlock = await startProgram('deadlock.py');
  programs.push(deadlock);

  const wb = await openWorkbench(t, { folder: PROGRAMS });
  if (!wb) return;
  const page = wb.page;
  const recvLine = hangLine('socket_recv.py', 'recv');
  await wb.openSnagView();
  await wb.resizeSideBar(520);

  await t.test('right-click the process → Dump Stacks shows its threads and the hanging frame', async () => {
    const row = await processRow(wb, socketRecv.pid);
    assert.match((await row.textContent()) ?? '', /socket_recv\.py/);
    await wb.rightClick(row);
    await wb.screenshot('processes', wb.sideBar);
    await wb.clickMenu('Dump Stacks');

    await wb.treeRow(/MainThread/, { view: 'Stacks' });
    await wb.treeRow(/silent-server/, { view: 'Stacks' });
    const frame = await wb.treeRow(new RegExp(`fetch_reply\\s*socket_recv\\.py:${recvLine}\\b`), { view: 'Stacks' });
    assert.match((await frame.getAttribute('aria-label')) ?? '', /stopped here/, 'the innermost user frame is marked');
    assert.match((await wb.view('Stacks').locator('.pane-header').textContent()) ?? '', new RegExp(`pid ${socketRecv.pid}`));
    assert.notEqual(processState(socketRecv.pid), 'T', 'the dumped process keeps running');
    await wb.settle();
    await wb.screenshot('stacks', wb.sideBar);
  });

  await t.test('clicking the frame opens the file at the hanging line, with the decoration on it', async () => {
    const frame = await wb.treeRow(new RegExp(`fetch_reply\\s*socket_recv\\.py:${recvLine}\\b`), { view: 'Stacks' });
    await frame.click();
    await page.locator('.tabs-container .tab.active', { hasText: 'socket_recv.py' }).waitFor();
    await waitForCursorLine(page, recvLine);

    const texts = await waitForAfterText(page, recvLine, /⏸ MainThread/);
    // The other thread's line and the caller's line are marked too.
    assert.match(texts.get(lineContaining(SOCKET_RECV, 'threading.Event().wait()')) ?? '', /silent-server/);
    assert.match(texts.get(lineContaining(SOCKET_RECV, 'fetch_reply(client)')) ?? '', /MainThread/, `caller marked: ${JSON.stringify([...texts])}`);
    await wb.settle();
    await wb.screenshot('decorations');
  });

  await t.test('hovering the hanging line shows the thread and its stack; a frame link jumps there', async () => {
    const line = await editorLine(page, recvLine);
    const box = await line.boundingBox();
    assert.ok(box, 'the hanging line is on screen');
    await page.mouse.move(box.x + 60, box.y + box.height / 2);
    const hover = page.locator('.monaco-hover:visible', { hasText: 'MainThread' }).first();
    await hover.waitFor();
    await page.waitForTimeout(400); // the hover fades in
    const text = (await hover.textContent()) ?? '';
    assert.match(text, /fetch_reply/);
    assert.match(text, /main/);
    // The finding leads, in the editor's terms (its command, not the CLI's flag).
    assert.match(text, /MainThread waits (in a socket read|\d+ s for \S+ to answer)/);
    assert.match(text, /Dump Stacks with Native Frames/);
    assert.doesNotMatch(text, /snag dump --native/);
    await wb.screenshot('hover', wb.editor);
    const caller = hover.locator('a[data-href^="command:snag.openFrame"]', { hasText: /^main$/ });
    await caller.click();
    await waitForCursorLine(page, lineContaining(SOCKET_RECV, 'fetch_reply(client)'));
    await wb.settle();
  });

  await t.test('Command Palette: Open Frame lists where each thread stands first; picking one opens it', async () => {
    await wb.runCommand('Snag: Open Frame');
    const rows = page.locator('.quick-input-list .monaco-list-row');
    const here = rows.filter({ hasText: new RegExp(`fetch_reply\\s*socket_recv\\.py:${recvLine}\\s*◀ here`) }).first();
    await here.waitFor();
    const texts = await rows.allTextContents();
    const main = texts.findIndex((x) => /MainThread/.test(x));
    assert.match(texts[main] ?? '', /fetch_reply.*◀ here/, `the first row of MainThread is where it stands: ${JSON.stringify(texts.slice(0, 6))}`);
    // The hover step left the cursor on main's line: picking moves it to the hanging line.
    await here.click();
    await page.locator('.tabs-container .tab.active', { hasText: 'socket_recv.py' }).waitFor();
    await waitForCursorLine(page, recvLine);
  });

  await t.test('Command Palette: Attach to Process… → type the name → pick → dump', async () => {
    await wb.pickProcess('Snag: Attach to Process', 'deadlock', deadlock.pid);
    await wb.treeRow(/worker-a/, { view: 'Stacks' });
    await wb.treeRow(new RegExp(`transfer_a_to_b\\s*deadlock\\.py:${hangLine('deadlock.py', 'a-waits-b')}\\b`), { view: 'Stacks' });
    await wb.treeRow(new RegExp(`transfer_b_to_a\\s*deadlock\\.py:${hangLine('deadlock.py', 'b-waits-a')}\\b`), { view: 'Stacks' });
    assert.match((await wb.view('Stacks').locator('.pane-header').textContent()) ?? '', new RegExp(`pid ${deadlock.pid}`));
    assert.notEqual(processState(deadlock.pid), 'T');
  });

  await t.test('after a setting changes (the Python-only filter toggled off and on), dumps still find py-spy', async () => {
    await wb.togglePythonOnly('all processes');
    await wb.togglePythonOnly('Python only');
    await wb.pickProcess('Snag: Attach to Process', 'socket_recv', socketRecv.pid);
    await wb.treeRow(new RegExp(`fetch_reply\\s*socket_recv\\.py:${hangLine('socket_recv.py', 'recv')}\\b`), { view: 'Stacks' });
    assert.equal(await page.locator('.notifications-toasts', { hasText: /py-spy was not found/ }).count(), 0);
  });

  await t.test('the dumped process exits: its markers, the CodeLens and the Stacks view say so', async () => {
    const recv = hangLine('socket_recv.py', 'recv');
    await (await wb.treeRow(new RegExp(`fetch_reply\\s*socket_recv\\.py:${recv}\\b`), { view: 'Stacks' })).click();
    await waitForAfterText(page, recv, /⏸ MainThread/);
    socketRecv.stop();
    await waitForAfterText(page, recv, /⏸ MainThread · idle · .*process exited$/);
    await page
      .locator('.editor-group-container.active .codelens-decoration', { hasText: /were stopped in this file \(pid \d+, which has exited since\)/ })
      .first()
      .waitFor();
    await wb
      .view('Stacks')
      .locator('.pane-header', { hasText: /· exited/ })
      .waitFor();
  });
});
