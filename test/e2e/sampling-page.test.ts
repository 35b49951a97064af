// The Sampling view's page on its own, in headless Chromium: the bundle esbuild makes from
// src/webview/sampling, a stand-in for the webview's acquireVsCodeApi, and view models posted as
// the host posts them. Hostile names render as escaped text; elements survive updates (keyed
// patching); a thread pick goes to the host, and the tables say whose they are only when it answers.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as esbuild from 'esbuild';
import { chromium, type Page } from 'playwright-core';
import type { FlameCell, PageMessage, ProfileModel, SamplingModel } from '../../src/extension/sampling/protocol';
import { REPO } from '../support/programs';
import { requireChromium } from './support/workbench';

/** The little of the DOM the page functions below use (the project compiles without lib "dom"). */
interface Probe {
  probe?: boolean;
  readonly ownerDocument: { readonly activeElement: unknown };
}
interface PageWindow {
  posted: PageMessage[];
  postMessage(m: unknown, origin: string): void;
}

const HOSTILE = '<img src=x onerror="window.pwned=1">\u202eevil\x1b[2J';
const SHOWN = '<img src=x onerror="window.pwned=1">\\u202eevil\\e[2J';

const cell = (key: string, depth: number, leftPct: number, widthPct: number, label: string): FlameCell => ({
  key,
  kind: depth ? 'user' : 'thread',
  depth,
  leftPct,
  widthPct,
  label,
  tooltip: `${label} — tooltip`,
  ...(depth ? { open: { file: '/ws/w.py', line: 3 } } : {}),
});

function profile(o: Partial<ProfileModel> = {}): ProfileModel {
  const row = (fn: string, own: number) => ({
    key: fn,
    function: fn,
    file: '/app/w.py',
    location: 'w.py:3',
    tooltip: '/ws/w.py',
    isUserCode: true,
    ownPct: own,
    totalPct: own,
    open: { file: '/ws/w.py', line: 3 },
  });
  return {
    samples: 40,
    facts: '40 thread-samples · 4.0 s · py-spy record',
    notes: [],
    findings: [],
    threads: [
      { id: 7, name: HOSTILE, status: 'stuck', headline: `${HOSTILE} stuck for 3 s at spin (w.py:3)`, samples: 30, open: { file: '/ws/w.py', line: 3 } },
      { id: 8, name: 'ticker', status: 'idle', headline: 'ticker idle', samples: 10 },
    ],
    tables: { thread: 'all', samples: 40, lines: [row('spin', 75), row(HOSTILE, 25)], functions: [] },
    flame: { thread: 'all', depth: 2, cells: [cell('/t7', 0, 0, 75, HOSTILE), cell('/t8', 0, 75, 25, 'ticker'), cell('/t7/f1', 1, 0, 75, 'spin (w.py:3)')] },
    ...o,
  };
}

const model = (p: ProfileModel, o: Partial<SamplingModel> = {}): SamplingModel => ({
  state: 'running',
  rateHz: 10,
  startAgain: false,
  title: `${HOSTILE} (pid 1) on Local`,
  profile: p,
  ...o,
});

async function bundle(): Promise<string> {
  const out = await esbuild.build({
    entryPoints: [join(REPO, 'src/webview/sampling/main.ts')],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

const send = (page: Page, m: SamplingModel) =>
  page.evaluate((msg) => (globalThis as unknown as PageWindow).postMessage({ type: 'update', model: msg }, '*'), m);
const posted = (page: Page) => page.evaluate(() => (globalThis as unknown as PageWindow).posted);

test('the Sampling page in Chromium: escaped names, elements kept across updates, thread picks through the host', { timeout: 60_000 }, async (t) => {
  const chromiumPath = requireChromium(t);
  if (!chromiumPath) return;
  const script = await bundle();
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  t.after(() => browser.close());
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const dialogs: string[] = [];
  page.on('dialog', (d) => void (dialogs.push(d.message()), d.dismiss()));
  // What the webview host provides: messages to the extension, and state kept across reloads.
  await page.setContent(
    `<!DOCTYPE html><html><head><style>${readFileSync(join(REPO, 'media/sampling.css'), 'utf8')}</style></head><body><div id="app"></div></body></html>`,
  );
  // (As a string: tsx would name the functions with a helper the page does not have.)
  await page.addScriptTag({
    content:
      'window.posted = []; let state; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.posted.push(m), getState: () => state, setState: (s) => { state = s; } });',
  });
  await page.addScriptTag({ content: script });
  assert.deepEqual({ errors, posted: await posted(page) }, { errors: [], posted: [{ type: 'ready', thread: 'all' }] });

  await t.test('names from the target render as text, control and bidi characters escaped', async () => {
    await send(page, model(profile(), { error: HOSTILE }));
    await page.locator('li.thread.stuck').waitFor();
    assert.equal(await page.locator('img').count(), 0, 'no element made from a name');
    assert.equal(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned), undefined);
    assert.equal(await page.locator('li.thread.stuck .headline').textContent(), `${SHOWN} stuck for 3 s at spin (w.py:3)`);
    assert.equal(await page.locator('.what').textContent(), `${SHOWN} (pid 1) on Local`);
    assert.equal(await page.locator('.error').textContent(), SHOWN);
    assert.equal(await page.locator('table.top tbody tr').nth(1).locator('.name').textContent(), SHOWN);
    assert.equal(await page.locator('.filter select option[value="7"]').textContent(), SHOWN);
    assert.deepEqual(dialogs, []);
  });

  await t.test('updates keep the elements: the flame box under the pointer, the filter being typed in', async () => {
    await page.locator('button.tab', { hasText: 'Flame graph' }).click();
    const box = page.locator('.flame .cell.user', { hasText: 'spin' });
    await box.evaluate((el: Probe) => void (el.probe = true));
    // The graph changes under it: another root grows, the box moves and narrows, a note appears above.
    const moved = profile({
      notes: ['a note'],
      flame: { thread: 'all', depth: 2, cells: [cell('/t8', 0, 0, 60, 'ticker'), cell('/t7', 0, 60, 40, HOSTILE), cell('/t7/f1', 1, 60, 40, 'spin (w.py:3)')] },
    });
    await send(page, model(moved));
    await page.locator('.note', { hasText: 'a note' }).waitFor();
    assert.equal(await box.evaluate((el: Probe) => el.probe), true, 'the same element');
    assert.equal(await box.getAttribute('title'), 'spin (w.py:3) — tooltip');
    const roots = await page.locator('.flame .cell.thread').evaluateAll((els) => els.map((e) => (e as unknown as { textContent: string }).textContent));
    assert.deepEqual(roots, ['ticker', SHOWN], 'in the new order');
    await box.click();
    assert.deepEqual((await posted(page)).at(-1), { type: 'open', file: '/ws/w.py', line: 3 });

    await page.locator('button.tab', { hasText: 'Lines' }).click();
    const filter = page.locator('.filter input');
    await filter.fill('spi');
    await filter.evaluate((el: Probe) => void (el.probe = true));
    await send(page, model(profile({ findings: [{ key: 'f', severity: 'error', title: 'a deadlock' }] })));
    await page.locator('li.finding', { hasText: 'a deadlock' }).waitFor();
    assert.equal(await filter.evaluate((el: Probe) => el.probe && el.ownerDocument.activeElement === el), true, 'the filter kept the element and the keyboard');
    assert.equal(await filter.inputValue(), 'spi');
    assert.deepEqual(await page.locator('table.top tbody tr .name').allTextContents(), ['spin']);
    await filter.fill('');
  });

  await t.test('a thread pick asks the host; the hint says whose shares only once the host answers', async () => {
    await page.locator('.filter select').selectOption('8');
    assert.deepEqual((await posted(page)).at(-1), { type: 'thread', thread: 8 });
    assert.equal(await page.locator('.filter .hint').textContent(), 'shares of all threads’ samples');
    const tick = { key: 'tick', function: 'tick', file: '/app/w.py', location: 'w.py:9', tooltip: '/ws/w.py', isUserCode: true, ownPct: 100, totalPct: 100 };
    await send(page, model(profile({ tables: { thread: 8, samples: 10, lines: [tick], functions: [] } })));
    await page.locator('.filter .hint', { hasText: 'this thread' }).waitFor();
    assert.deepEqual(await page.locator('table.top tbody tr .name').allTextContents(), ['tick']);
    assert.equal(await page.locator('.filter select').inputValue(), '8');
    // A session without that thread: back to all of them, and the host is told.
    await send(page, model(profile({ threads: [{ id: 9, name: 'other', status: 'busy', headline: 'other busy', samples: 40 }] })));
    await page.waitForFunction("document.querySelector('.filter select').value === 'all'", undefined, { timeout: 10_000 });
    assert.deepEqual((await posted(page)).at(-1), { type: 'thread', thread: 'all' });
  });

  await t.test('the shares say they are wall-clock; CPU-only columns beside them when the host counted running samples', async () => {
    const note = page.locator('.shares-note');
    await note.waitFor();
    assert.match((await note.textContent()) ?? '', /^Wall-clock shares: .*waiting \(py-spy counts idle threads\)\. Which samples ran on the CPU is not known/);
    const waiting = (fn: string) => ({
      key: fn,
      function: fn,
      file: '/app/w.py',
      location: 'w.py:9',
      tooltip: '/ws/w.py',
      isUserCode: true,
      ownPct: 50,
      totalPct: 50,
      cpuOwnPct: 0,
      cpuTotalPct: 0,
    });
    await send(
      page,
      model(profile({ tables: { thread: 'all', samples: 40, cpuSamples: 0, lines: [waiting('recv'), waiting('Condition.wait')], functions: [] } })),
    );
    await page.locator('.shares-note', { hasText: 'none of the 40 samples caught a thread running' }).waitFor();
    assert.deepEqual(
      (await page.locator('table.top thead th').allTextContents()).map((x) => x.replace(/ [▾▴]$/, '')),
      ['%Own', '%Total', 'CPU %Own', 'CPU %Total', 'Function (file:line)'],
    );
    assert.deepEqual(await page.locator('table.top tbody tr').first().locator('td.num').allTextContents(), ['50.0', '50.0', '0.0', '0.0']);
    assert.match((await page.locator('table.top thead th').first().getAttribute('title')) ?? '', /^Wall-clock/);
  });
});
