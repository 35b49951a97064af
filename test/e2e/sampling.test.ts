// Live sampling in a real VS Code workbench: right-click a process → Start Sampling; the Sampling
// view names the stuck thread and lists the hot lines; clicking the hot row opens the file with
// heat on the line; the flame graph draws; Stop clears the heat and the status bar entry.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { join } from 'node:path';
import { hangLine, processState, PROGRAMS, startProgram } from '../support/programs';
import { afterTexts, lineContaining, waitForAfterText, waitForCursorLine } from './support/editor';
import { openWorkbench, processRowText, UI_TIMEOUT_MS } from './support/workbench';

const PROGRAM = 'busy_and_stuck.py';

/** The little of the DOM the page functions below use (the project compiles without lib "dom"). */
interface Cell {
  querySelectorAll(selector: string): Iterable<Cell>;
  getBoundingClientRect(): { x: number; y: number; width: number; height: number };
  readonly textContent: string | null;
  probe?: boolean;
}
interface Focusable {
  readonly ownerDocument: { readonly activeElement: unknown };
}
const FILE = join(PROGRAMS, PROGRAM);

test('Sampling view in a real VS Code workbench: stuck thread, hot lines as heat, flame graph, stop', { timeout: 300_000 }, async (t) => {
  const prog = await startProgram(PROGRAM);
  t.after(() => prog.stop());
  const wb = await openWorkbench(t, { folder: PROGRAMS });
  if (!wb) return;
  const page = wb.page;
  await wb.openSnagView();
  // The page of the Sampling webview: the workbench hosts webviews in iframes of its own, laid over
  // the view's pane (not inside it), with the page in a nested iframe.
  const view: FrameLocator = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');

  await t.test('right-click → Start Sampling: within seconds the view says which thread is stuck where', async () => {
    const row = await wb.treeRow(processRowText(prog.pid), { view: 'Processes' });
    await wb.rightClick(row);
    await wb.clickMenu('Start Sampling');
    const started = Date.now();
    const stuck = view.locator('li.thread.stuck', {
      hasText: new RegExp(`reader stuck for \\d+ s at read_reply \\(${PROGRAM.replace('.', '\\.')}:${hangLine(PROGRAM, 'stuck-recv')}\\)`),
    });
    await stuck.waitFor({ timeout: UI_TIMEOUT_MS });
    t.diagnostic(`"stuck" shown ${Date.now() - started} ms after Start Sampling`);
    await view.locator('li.thread.busy', { hasText: /MainThread busy/ }).waitFor();
    await view.locator('li.thread.idle', { hasText: /ticker idle/ }).waitFor();
    await view.locator('table.top tbody tr', { hasText: 'checksum' }).first().waitFor();
    await page.locator('.statusbar-item', { hasText: new RegExp(`Sampling pid ${prog.pid}`) }).waitFor();
    await wb.settle();
    await wb.screenshot('sampling');
  });

  await t.test('clicking the hottest row opens its line, with heat on it that updates live', async () => {
    const hot = view.locator('table.top tbody tr', { hasText: 'checksum' }).first();
    const text = (await hot.textContent()) ?? '';
    const line = Number(/busy_and_stuck\.py:(\d+)/.exec(text)?.[1]);
    assert.ok([hangLine(PROGRAM, 'hot'), hangLine(PROGRAM, 'hot') + 1].includes(line), text);
    await wb.openFrame(hot, PROGRAM);
    const first = await waitForAfterText(page, line, /🔥 \d+\.\d %/);
    // The stuck read shows too: all of its thread's samples stop there (⏳ and wall-clock when the
    // source tells that none of them was on the CPU).
    assert.match(first.get(hangLine(PROGRAM, 'stuck-recv')) ?? '', /🔥 \d+\.\d %|⏳ \d+\.\d % wall-clock/);
    assert.match(
      first.get(lineContaining(FILE, '        checksum(data)')) ?? '',
      /↳ \d+\.\d % in calls|· \d+\.\d % with calls/,
      'the caller line names its share with calls (own samples there too, now and then)',
    );
    await wb.settle();
    await wb.screenshot('heat');
  });

  await t.test('the flame graph draws the stacks; a user frame opens its file', async () => {
    await view.locator('button.tab', { hasText: 'Flame graph' }).click();
    const cell = view.locator('.flame .cell.user', { hasText: /checksum/ }).first();
    await cell.waitFor();
    // Laid out as a graph (not all on one spot): the threads side by side, calls below their callers.
    // Measured in one step inside the page: the cells move as samples arrive.
    // (No named functions inside: the page gets the function's source, without tsx's helpers.)
    const [roots = [], hots = []] = await view
      .locator('.flame')
      .evaluate((flame: Cell) =>
        [[...flame.querySelectorAll('.cell.thread')], [...flame.querySelectorAll('.cell.user')].filter((c) => /checksum/.test(c.textContent ?? ''))].map(
          (cells) => cells.map((c) => c.getBoundingClientRect()).map((r) => ({ x: r.x, y: r.y, width: r.width, height: r.height })),
        ),
      );
    const hot = hots[0];
    assert.ok(roots.length >= 3, 'one root per thread');
    assert.equal(new Set(roots.map((b) => Math.round(b.x))).size, roots.length, 'thread roots side by side');
    assert.ok(hot, 'the hot function has a cell');
    assert.ok(hot.y > roots[0]!.y + roots[0]!.height - 1, 'callees below their callers');
    assert.ok(
      roots.every((b) => b.width > 20),
      'each root is as wide as its share',
    );
    // The cells are kept between updates: the one under the pointer is still there a second later
    // (so its tooltip stays and a click lands).
    // (so its tooltip stays and a click lands). An expando marks the element, not its attributes.
    await cell.evaluate((el: Cell) => {
      el.probe = true;
    });
    const facts = view.locator('.facts');
    await facts.filter({ hasNotText: (await facts.textContent()) ?? '' }).waitFor();
    assert.ok(
      await view.locator('.flame').evaluate((flame: Cell) => [...flame.querySelectorAll('.cell')].some((c) => c.probe)),
      'the cell was redrawn as a new element',
    );
    // A click on a user frame opens its line.
    const line = Number(/busy_and_stuck\.py:(\d+)/.exec((await cell.getAttribute('title')) ?? '')?.[1]);
    assert.ok(line > 0);
    await wb.runCommand('View: Close All Editors');
    await wb.openFrame(cell, PROGRAM);
    await waitForCursorLine(page, line);
    // Room for the whole graph, as a person would make it: maximise the panel for the picture.
    await wb.runCommand('View: Toggle Maximized Panel');
    await page.waitForTimeout(500);
    await wb.settle();
    await wb.screenshot('flame-graph', page.locator('.part.panel'));
    await wb.runCommand('View: Toggle Maximized Panel');
    await view.locator('button.tab', { hasText: 'Lines' }).click();
  });

  await t.test('the filter and the sort order hold while samples arrive, and the filter keeps the keyboard', async () => {
    const facts = view.locator('.facts');
    const filter = view.locator('.filter input');
    await filter.fill('tick');
    await facts.filter({ hasNotText: (await facts.textContent()) ?? '' }).waitFor();
    const names = await view.locator('table.top tbody tr .name').allTextContents();
    assert.ok(names.length > 0 && names.every((n) => n === 'tick'), `rows after filtering: ${names.join(', ')}`);
    assert.ok(await filter.evaluate((el: Focusable) => el.ownerDocument.activeElement === el), 'the filter lost the focus to an update');
    await filter.fill('');
    await view.locator('table.top th', { hasText: 'Function' }).click();
    await facts.filter({ hasNotText: (await facts.textContent()) ?? '' }).waitFor();
    const sorted = await view.locator('table.top tbody tr .name').allTextContents();
    assert.deepEqual(
      sorted,
      [...sorted].sort((a, b) => a.localeCompare(b)),
      'rows by function name',
    );
    assert.equal(await view.locator('table.top th', { hasText: 'Function' }).getAttribute('aria-sort'), 'ascending');
    await view.locator('table.top th', { hasText: /^\s*%Own/ }).click();
    // One thread picked: shares of its own samples (with all threads, the idle ones dilute them).
    await view.locator('.filter select').selectOption({ label: 'MainThread' });
    const mainRow = view.locator('table.top tbody tr', { hasText: 'checksum' }).first();
    await view.locator('.filter .hint', { hasText: 'this thread' }).waitFor();
    const share = Number(((await mainRow.locator('td.num').first().textContent()) ?? '').trim());
    assert.ok(share >= 80, `checksum has ${share} % of MainThread's samples`);
    await view.locator('.filter select').selectOption({ label: 'All threads' });
  });

  await t.test('Stop: the session ends, heat and the status bar entry go, the process runs on', async () => {
    await view.locator('button.btn[data-command="stop"]').click();
    await view.locator('.badge.stopped').waitFor();
    await page.locator('.statusbar-item', { hasText: /Sampling pid/ }).waitFor({ state: 'detached' });
    const deadline = Date.now() + UI_TIMEOUT_MS;
    while ([...(await afterTexts(page)).values()].some((s) => s.includes('🔥'))) {
      assert.ok(Date.now() < deadline, 'heat still shown after Stop');
      await page.waitForTimeout(200);
    }
    assert.notEqual(processState(prog.pid), 'T');
    // The samples stay in the view after Stop.
    await view.locator('table.top tbody tr', { hasText: 'checksum' }).first().waitFor();
  });

  await t.test('Command Palette: Start Sampling… → pick a process stuck in a socket read → "MainThread stuck … at fetch_reply"', async () => {
    const recv = await startProgram('socket_recv.py');
    t.after(() => recv.stop());
    await wb.pickProcess('Snag: Start Sampling', 'socket_recv', recv.pid);
    const started = Date.now();
    await view
      .locator('li.thread.stuck', {
        hasText: new RegExp(`MainThread stuck for \\d+ s at fetch_reply \\(socket_recv\\.py:${hangLine('socket_recv.py', 'recv')}\\)`),
      })
      .waitFor();
    t.diagnostic(`"MainThread stuck" shown ${Date.now() - started} ms after the pick`);
    await view.locator('.what', { hasText: `pid ${recv.pid}` }).waitFor();
    await view.locator('button.btn[data-command="stop"]').click();
    await view.locator('.badge.stopped').waitFor();
  });

  await t.test('a deadlock: the cross-thread finding shows above the threads, and opens the line', async () => {
    const deadlock = await startProgram('deadlock.py');
    t.after(() => deadlock.stop());
    await wb.pickProcess('Snag: Start Sampling', 'deadlock', deadlock.pid);
    const finding = view.locator('ul.findings li.finding.sev-error.link', {
      hasText: /worker-a waits for lock_b at deadlock\.py:\d+ \(transfer_a_to_b\), held by worker-b: a deadlock/,
    });
    await finding.waitFor();
    await wb.settle();
    await wb.screenshot('sampling-deadlock', page.locator('.part.panel'));
    await wb.openFrame(finding, 'deadlock.py');
    await waitForCursorLine(page, hangLine('deadlock.py', 'a-waits-b'));
    await view.locator('button.btn[data-command="stop"]').click();
    await view.locator('.badge.stopped').waitFor();
  });
});
