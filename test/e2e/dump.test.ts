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
import { editorLine, gutterIcon, lineContaining, lineNumberCell, waitForAfterText, waitForCursorLine } from './support/editor';
import { requireTool } from '../support/tools';
import { frameRowText, openWorkbench, processRowText, type Workbench } from './support/workbench';

const SOCKET_RECV = join(PROGRAMS, 'socket_recv.py');

/** The process's row in the Processes view; narrows the view with the filter when the machine runs many. */
async function processRow(wb: Workbench, pid: number): Promise<Locator> {
  const text = processRowText(pid);
  try {
    return await wb.treeRow(text, { view: 'Processes', timeoutMs: 20_000 });
  } catch {
    // Many processes on this machine: filter by the pid, typed once the input is there (keys
    // typed before it opens are lost on a loaded machine).
    await wb.runCommand('Snag: Filter Processes');
    const input = wb.page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(String(pid));
    await input.press('Enter');
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

  // The Docker CLI is here and no daemon answers, the common laptop case: DOCKER_HOST names a socket
  // that does not exist, so no engine another test or the machine runs can answer instead.
  const dockerCli = requireTool(t, 'docker', 'bash scripts/setup.sh docker');
  if (!dockerCli) return;
  const wb = await openWorkbench(t, { folder: PROGRAMS, env: { DOCKER_HOST: 'unix:///nonexistent/snag-e2e/docker.sock' } });
  if (!wb) return;
  const page = wb.page;
  const recvLine = hangLine('socket_recv.py', 'recv');
  await wb.openSnagView();

  await t.test('right-click the process → Dump Stacks shows its threads and the hanging frame', async () => {
    const row = await processRow(wb, socketRecv.pid);
    assert.match((await row.textContent()) ?? '', /socket_recv\.py/);
    await wb.rightClick(row);
    // The side bar and the context menu, which opens wider than the side bar.
    await wb.screenshot('processes', [wb.sideBar, page.locator('.context-view .monaco-menu')]);
    await wb.clickMenu('Dump Stacks');

    await wb.treeRow(/MainThread/, { view: 'Stacks' });
    await wb.treeRow(/silent-server/, { view: 'Stacks' });
    const frame = await wb.treeRow(frameRowText('fetch_reply', 'socket_recv.py', recvLine), { view: 'Stacks' });
    assert.match((await frame.getAttribute('aria-label')) ?? '', /stopped here/, 'the innermost user frame is marked');
    assert.match((await wb.view('Stacks').locator('.pane-header').textContent()) ?? '', new RegExp(`pid ${socketRecv.pid}`));
    assert.notEqual(processState(socketRecv.pid), 'T', 'the dumped process keeps running');
    await wb.settle();
    await wb.screenshot('stacks', wb.sideBar);
  });

  await t.test('clicking the frame opens the file at the hanging line, with the decoration on it', async () => {
    const frame = await wb.treeRow(frameRowText('fetch_reply', 'socket_recv.py', recvLine), { view: 'Stacks' });
    await wb.openFrame(frame, 'socket_recv.py');
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
    // The finding leads, with its one fix; nothing in it speaks the CLI's flags.
    assert.match(text, /MainThread waits \d+ s for \S+ to answer with no timeout/);
    assert.match(text, /timeout=/);
    assert.doesNotMatch(text, /snag dump|--native/);
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
    await wb.openFrame(here, 'socket_recv.py');
    await waitForCursorLine(page, recvLine);
  });

  await t.test("the gutter icon's context menu on a marked line shows the line's hover (VS Code gives gutter icons none)", async () => {
    const callerLine = lineContaining(SOCKET_RECV, 'fetch_reply(client)');
    // Away from the hanging line first, so the hover cannot be left from an earlier step.
    await (await editorLine(page, callerLine)).click();
    await waitForCursorLine(page, callerLine);
    await wb.settle();
    const icon = await gutterIcon(page, recvLine);
    await icon.click({ button: 'right' });
    const menu = page.locator('.context-view .monaco-menu');
    await menu.waitFor();
    await wb.clickMenu('Show Threads on This Line');
    const hover = page.locator('.monaco-hover:visible', { hasText: 'MainThread' }).first();
    await hover.waitFor();
    assert.match((await hover.textContent()) ?? '', /fetch_reply/);
    await waitForCursorLine(page, recvLine);
    // An unmarked line's gutter offers nothing of Snag's (here no menu at all: it would have no item).
    // The right-click selects the line before it opens the menu, in the same handler.
    await page.keyboard.press('Escape');
    await lineNumberCell(page, recvLine - 1).click({ button: 'right' });
    await waitForCursorLine(page, recvLine - 1);
    assert.equal(await menu.locator('.action-label', { hasText: 'Show Threads on This Line' }).count(), 0);
    await page.keyboard.press('Escape');
  });

  await t.test('a Docker CLI with no daemon is a quiet, folded hint: no error row, no picker entry', async () => {
    const docker = await wb.treeRow(/^Docker/, { view: 'Processes' });
    assert.match((await docker.textContent()) ?? '', /not running/);
    assert.equal(await docker.getAttribute('aria-expanded'), 'false', 'folded');
    const processes = wb.view('Processes');
    assert.equal(await processes.locator('.monaco-list-row', { hasText: /not available|Cannot connect|daemon/i }).count(), 0, 'no error row');
    await wb.runCommand('Snag: Attach to Process');
    const rows = page.locator('.quick-input-list .monaco-list-row');
    await rows
      .filter({ hasText: new RegExp(`pid ${deadlock.pid} ·`) })
      .first()
      .waitFor();
    const texts = await rows.allTextContents();
    assert.ok(texts.length > 0);
    for (const text of texts) assert.doesNotMatch(text, /docker|not available|Cannot connect|daemon/i, `a picker entry for the absent engine: ${text}`);
    await page.keyboard.press('Escape');
  });

  await t.test('Command Palette: Attach to Process… → type the name → pick → dump', async () => {
    await wb.pickProcess('Snag: Attach to Process', 'deadlock', deadlock.pid);
    await wb.treeRow(/worker-a/, { view: 'Stacks' });
    await wb.treeRow(frameRowText('transfer_a_to_b', 'deadlock.py', hangLine('deadlock.py', 'a-waits-b')), { view: 'Stacks' });
    await wb.treeRow(frameRowText('transfer_b_to_a', 'deadlock.py', hangLine('deadlock.py', 'b-waits-a')), { view: 'Stacks' });
    assert.match((await wb.view('Stacks').locator('.pane-header').textContent()) ?? '', new RegExp(`pid ${deadlock.pid}`));
    assert.notEqual(processState(deadlock.pid), 'T');
  });

  await t.test('after a setting changes (the Python-only filter toggled off and on), dumps still find py-spy', async () => {
    await wb.togglePythonOnly('all processes');
    await wb.togglePythonOnly('Python only');
    await wb.pickProcess('Snag: Attach to Process', 'socket_recv', socketRecv.pid);
    await wb.treeRow(frameRowText('fetch_reply', 'socket_recv.py', hangLine('socket_recv.py', 'recv')), { view: 'Stacks' });
    assert.equal(await page.locator('.notifications-toasts', { hasText: /py-spy was not found/ }).count(), 0);
  });

  await t.test('the dumped process exits: its markers, the CodeLens and the Stacks view say so', async () => {
    const recv = hangLine('socket_recv.py', 'recv');
    await (await wb.treeRow(frameRowText('fetch_reply', 'socket_recv.py', recv), { view: 'Stacks' })).click();
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

  await t.test('the first-run walkthrough: doing a step ticks it; the checks show as green steps or red ones, and a red one never ticks', async () => {
    await wb.runCommand('Welcome: Open Walkthrough...');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Find a stuck Python process' }).first().click();
    const step = (id: string) => page.locator(`.getting-started-step[data-step-id$="#${id}"]`);
    const ticked = (id: string) => page.locator(`.getting-started-step[data-step-id$="#${id}"][aria-checked="true"]`);
    await step('find').waitFor();
    // The cases above did what these steps ask: opened Processes, dumped, opened the frame marked ◀ here.
    for (const id of ['find', 'dump', 'finding']) await ticked(id).waitFor();
    assert.equal(await step('sample').getAttribute('aria-checked'), 'false', 'nothing was sampled in this window');
    assert.equal(await step('pyspy').getAttribute('aria-checked'), 'false', 'not checked before the checks ran');
    await wb.runCommand('Snag: Check What Snag May Read');
    await page
      .locator('.notification-toast', { hasText: /Snag can read your processes|checks failed/ })
      .first()
      .waitFor();
    for (const id of ['pyspy', 'ptrace', 'sysPtrace']) {
      // Exactly one of the pair: the green step, checked, or the red one with the fix.
      await page
        .locator(`.getting-started-step[data-step-id$="#${id}"][aria-checked="true"], .getting-started-step[data-step-id$="#${id}Failed"]`)
        .first()
        .waitFor();
      const green = await step(id).count();
      const red = await step(`${id}Failed`).count();
      assert.equal(green + red, 1, `${id}: ${green} green, ${red} red steps`);
      if (red) assert.equal(await step(`${id}Failed`).getAttribute('aria-checked'), 'false', `${id}: the red step is not ticked`);
    }
    // This machine's py-spy is the one the dumps above used: green.
    assert.equal(await step('pyspy').getAttribute('aria-checked'), 'true');
    await wb.settle();
    await wb.screenshot('walkthrough', wb.editor);

    // Green → red → green: snag.pyspyPath pointed at no program, the checks run again; then back.
    // The setting reaches the extension a moment after the file changes: check until the step shows.
    const checkUntil = async (shown: Locator) => {
      for (let i = 0; ; i++) {
        await wb.runCommand('Snag: Check What Snag May Read');
        try {
          return await shown.waitFor({ timeout: 3000 });
        } catch (err) {
          if (i === 10) throw err;
        }
      }
    };
    assert.ok(wb.setMachineSetting, 'this workbench can change its settings');
    const pyspyPath = wb.setMachineSetting('snag.pyspyPath', join(PROGRAMS, 'no-such-py-spy'));
    await checkUntil(step('pyspyFailed'));
    assert.equal(await step('pyspy').count(), 0, 'red: the green step is hidden');
    assert.equal(await step('pyspyFailed').getAttribute('aria-checked'), 'false', 'red: the red step is not ticked (it was hidden while green)');
    assert.match((await step('pyspyFailed').textContent()) ?? '', /py-spy was not found/);
    wb.setMachineSetting('snag.pyspyPath', pyspyPath);
    await checkUntil(ticked('pyspy'));
    assert.equal(await step('pyspyFailed').count(), 0, 'green again: the red step is hidden');
  });
});
