import assert from 'node:assert/strict';
// A real VS Code workbench for end-to-end tests: code-server with the packaged Snag installed,
// opened in Debian's Chromium through playwright-core, plus the few gestures the tests need
// (open the Snag view, find a tree row, context menus, the command palette, screenshots).
// Everything it starts is stopped through t.after, also when the test fails.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { chromium, type Locator, type Page } from 'playwright-core';
import { REPO } from '../../support/programs';
import { requireTool } from '../../support/tools';
import { CODE_SERVER_BIN_DIR, startCodeServer, testSettings, type CodeServer } from './codeServer';
import { ensureVsix } from './vsix';

/**
 * Where the tests write their screenshots: a git-ignored folder, so a test run leaves the checkout
 * clean. `npm run screenshots` (scripts/screenshots.sh) copies them into docs/screenshots/ for the README.
 */
export const SCREENSHOTS = join(REPO, 'test-results', 'screenshots');
export const VIEWPORT = { width: 1400, height: 900 };
/** Generous: two cores shared with other test runs. */
export const UI_TIMEOUT_MS = 30_000;

/** Flags from docs for a quiet headless Chromium that never reaches the network on its own. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface WorkbenchOptions {
  /** The folder to open (absolute). */
  folder: string;
  /** Install the packaged .vsix (default true). */
  installVsix?: boolean;
  settings?: Record<string, unknown>;
  /** Environment for code-server and the extension host, over this process's (DOCKER_HOST, …). */
  env?: Record<string, string>;
  /**
   * `payload` entries for the workbench URL (extensionDevelopmentPath, extensionTestsPath, ...),
   * given the started server (its port makes the `vscode-remote://` URIs).
   */
  payload?: (server: CodeServer, remoteUri: (path: string) => string) => [string, string][];
  /** Called before the page loads, e.g. to expose functions the workbench looks for. */
  beforeLoad?: (page: Page) => Promise<void>;
  /** Wait for the Snag activity-bar entry before returning (default true). */
  waitForSnag?: boolean;
}

export interface Workbench {
  page: Page;
  openSnagView(): Promise<void>;
  /** The pane of a view by its title (`Processes`, `Stacks`, `Explorer`, ...). */
  view(title: string): Locator;
  /** Waits for a tree row containing `text` (in one view when given) and returns it. */
  treeRow(text: string | RegExp, opts?: { view?: string; timeoutMs?: number }): Promise<Locator>;
  rightClick(row: Locator): Promise<void>;
  clickMenu(label: string): Promise<void>;
  /** Runs a command through F1 by its palette title (`Snag: Dump Stacks`). */
  runCommand(title: string): Promise<void>;
  /** Clicks a tree row or a view's header until it is expanded (or folded), as `aria-expanded` says. */
  setExpanded(target: Locator, expanded: boolean): Promise<void>;
  /** Clicks a frame row and waits for its file's editor tab to be the active one. */
  openFrame(row: Locator, file: string): Promise<void>;
  /** Runs a command that asks for a process (`Snag: Attach to Process`), types `filter`, picks `pid`. */
  pickProcess(command: string, filter: string, pid: number): Promise<void>;
  /** Toggles the Processes view's Python-only filter and waits for its title to say `expected`. */
  togglePythonOnly(expected: 'all processes' | 'Python only'): Promise<void>;
  /** Writes test-results/screenshots/<name>.png (or the part `clip` covers, all of them when several) and returns its path. */
  screenshot(name: string, clip?: Locator | Locator[]): Promise<string>;
  /** For a clean screenshot: mouse out of the way (no tooltips) and finished notifications gone. */
  settle(): Promise<void>;
  /** The side bar (Snag's views) and the active editor, for screenshots of one part. */
  sideBar: Locator;
  editor: Locator;
  /**
   * Changes one of the remote window's machine settings as a user editing them would (the
   * server's settings file; VS Code picks the change up); `undefined` removes it. Only in a
   * workbench of `openWorkbench`, which started the server. Returns the value it had.
   */
  setMachineSetting?(key: string, value: unknown): unknown;
}

/**
 * Starts code-server and Chromium for one test file. Returns undefined when a tool is missing
 * outside CI (the test is then skipped); in CI a missing tool fails the test.
 */
export async function openWorkbench(t: TestContext, opts: WorkbenchOptions): Promise<Workbench | undefined> {
  const bin = requireTool(t, 'code-server', 'bash scripts/setup.sh e2e', [CODE_SERVER_BIN_DIR]);
  const chromiumPath = requireChromium(t);
  if (!bin || !chromiumPath || !requireTool(t, 'py-spy', 'bash scripts/setup.sh core')) return undefined;

  const vsix = opts.installVsix === false ? undefined : await ensureVsix();
  const server = await startCodeServer({ bin, folder: opts.folder, vsix, settings: opts.settings ?? testSettings(), env: opts.env });
  t.after(() => server.stop());
  const remoteUri = (path: string) => `vscode-remote://127.0.0.1:${server.port}${path}`;
  const query = new URLSearchParams({ folder: opts.folder });
  if (opts.payload) query.set('payload', JSON.stringify(opts.payload(server, remoteUri)));
  const wb = await openInBrowser(t, chromiumPath, `${server.origin}/?${query}`, opts);
  const machineSettings = join(server.stateDir, 'user-data', 'Machine', 'settings.json');
  wb.setMachineSetting = (key, value) => {
    const now = JSON.parse(readFileSync(machineSettings, 'utf8')) as Record<string, unknown>;
    const before = now[key];
    if (value === undefined) delete now[key];
    else now[key] = value;
    writeFileSync(machineSettings, JSON.stringify(now, null, 2));
    return before;
  };
  return wb;
}

/** Debian's Chromium (or $SNAG_CHROMIUM); fails in CI when missing, else skips. */
export function requireChromium(t: TestContext): string | undefined {
  return process.env.SNAG_CHROMIUM ?? requireTool(t, 'chromium', 'bash scripts/setup.sh e2e');
}

/** Opens a workbench URL (a server the test started, or the demo's) in a fresh headless Chromium. */
export async function openInBrowser(
  t: TestContext,
  chromiumPath: string,
  url: string,
  opts: Pick<WorkbenchOptions, 'beforeLoad' | 'waitForSnag'> = {},
): Promise<Workbench> {
  // Its own config folder: Chromium's crash reporter otherwise writes under the user's home.
  const profile = mkdtempSync(join(tmpdir(), 'snag-e2e-browser-'));
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: CHROMIUM_ARGS,
    env: { ...process.env, XDG_CONFIG_HOME: profile },
  });
  t.after(async () => {
    await browser.close().catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
  });
  // Clipboard permissions: Snag's "Copy Dump" commands write through the browser's clipboard.
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  await opts.beforeLoad?.(page);
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });

  const snagIcon = page.locator('.activitybar a[aria-label^="Snag"]');
  if (opts.waitForSnag !== false) await snagIcon.waitFor({ timeout: 60_000 });

  const view = (title: string) => page.locator('.pane', { has: page.locator('.pane-header h3.title', { hasText: new RegExp(`^${title}$`, 'i') }) });

  const wb: Workbench = {
    page,
    view,
    async openSnagView() {
      // Clicking an already open container would close the side bar: only click when closed.
      if (!(await view('Processes').isVisible())) await snagIcon.click();
      await view('Processes').waitFor();
    },
    async treeRow(text, o = {}) {
      const scope = o.view ? view(o.view) : page.locator('.monaco-workbench');
      const row = scope.locator('.monaco-list-row', { hasText: text }).first();
      const deadline = Date.now() + (o.timeoutMs ?? UI_TIMEOUT_MS);
      // Trees render only the rows in view: scroll the view down a little each second, and back
      // to the top now and then, so a row below the fold is found as a person would find it.
      for (let step = 1; ; step++) {
        try {
          await row.waitFor({ timeout: Math.max(1, Math.min(1000, deadline - Date.now())) });
          return row;
        } catch (err) {
          if (Date.now() >= deadline) {
            // What the workbench showed instead (a notification, a picker, a collapsed view) says why.
            const shot = join(tmpdir(), `snag-e2e-missing-row-${Date.now()}.png`);
            await page.screenshot({ path: shot }).catch(() => undefined);
            throw new Error(`no row ${String(text)}${o.view ? ` in ${o.view}` : ''}; the workbench then: ${shot}`, { cause: err });
          }
        }
        const list = o.view ? view(o.view).locator('.monaco-list').first() : undefined;
        if (list && (await list.isVisible().catch(() => false))) {
          const box = await list.boundingBox();
          if (box) {
            await page.mouse.move(box.x + box.width / 2, box.y + Math.min(box.height / 2, 40));
            await page.mouse.wheel(0, step % 8 === 0 ? -5000 : 110);
          }
        }
      }
    },
    async rightClick(row) {
      // Near the label, as a person would: the menu then opens inside the side bar.
      const box = await row.boundingBox();
      await row.click({ button: 'right', position: { x: Math.min(160, (box?.width ?? 320) / 2), y: (box?.height ?? 22) / 2 } });
      await page.locator('.context-view .monaco-menu').waitFor();
    },
    async clickMenu(label) {
      const menu = page.locator('.context-view .monaco-menu');
      await menu.locator('.action-label', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }).click();
      // A click that lands while the Processes view refreshes under the menu only highlights the
      // item (seen in CI); the menu stays open. Enter runs the highlighted item, as a person's second try would.
      const closed = await menu.waitFor({ state: 'hidden', timeout: 2000 }).then(
        () => true,
        () => false,
      );
      if (!closed) await page.keyboard.press('Enter');
    },
    async runCommand(title) {
      const input = page.locator('.quick-input-widget input');
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
      // A key pressed while a freshly opened editor (the walkthrough page) takes focus can be lost,
      // and so can the palette itself when focus moves while it fills (both seen in CI under load):
      // open it again and type again, as a person would, until the command's row shows.
      for (let attempt = 0; ; attempt++) {
        await page.keyboard.press(attempt % 2 ? 'Control+Shift+P' : 'F1');
        const shown = await input.waitFor({ timeout: 5000 }).then(
          () => true,
          () => false,
        );
        // The palette can close again between showing and being typed in (focus taken by a view).
        const typed =
          shown &&
          (await input.fill(`>${title}`, { timeout: 5000 }).then(
            () => true,
            () => false,
          ));
        if (typed) {
          const listed = await row.waitFor({ timeout: attempt === 5 ? 30_000 : 8000 }).then(
            () => true,
            () => false,
          );
          if (listed) break;
          await page.keyboard.press('Escape');
        }
        if (attempt === 5) throw new Error(`the command palette did not list "${title}" in 6 tries`);
      }
      await page.keyboard.press('Enter');
    },
    async setExpanded(target, expanded) {
      const want = String(expanded);
      // A click that lands while the view refreshes can be lost (seen in CI under load): look, click again.
      for (let attempt = 0; attempt < 5; attempt++) {
        if ((await target.getAttribute('aria-expanded')) === want) return;
        await target.click();
        // Waited for long enough that a slow click is not undone by the next one (a loaded 2-core machine).
        for (let i = 0; i < 40 && (await target.getAttribute('aria-expanded')) !== want; i++) await page.waitForTimeout(200);
      }
      assert.equal(await target.getAttribute('aria-expanded'), want, `${await target.textContent()} is ${expanded ? 'open' : 'folded'}`);
    },
    async openFrame(row, file) {
      const tab = page.locator('.tabs-container .tab.active', { hasText: file });
      // A click that lands while the tree re-renders (a refresh, a finding arriving) selects nothing
      // (seen in CI under load): click again, as a person would.
      for (let attempt = 0; attempt < 3; attempt++) {
        await row.click();
        if (
          await tab.waitFor({ timeout: 8000 }).then(
            () => true,
            () => false,
          )
        )
          return;
      }
      await tab.waitFor();
    },
    async pickProcess(command, filter, pid) {
      await wb.runCommand(command);
      await page.locator('.quick-input-widget input').fill(filter);
      await page.locator('.quick-input-list .monaco-list-row', { hasText: new RegExp(`pid ${pid} ·`) }).click();
    },
    async togglePythonOnly(expected) {
      await wb.runCommand('Snag: Toggle Python-Only Filter');
      await view('Processes').locator('.pane-header', { hasText: expected }).waitFor();
    },
    sideBar: page.locator('.part.sidebar'),
    editor: page.locator('.part.editor'),
    async settle() {
      // The status bar's empty middle: no tooltip, no hover.
      await page.mouse.move(VIEWPORT.width / 2, VIEWPORT.height - 10);
      await page
        .locator('.notification-toast')
        .first()
        .waitFor({ state: 'hidden', timeout: 10_000 })
        .catch(() => undefined);
      // Tooltips and toasts fade out; let the animation finish.
      await page.waitForTimeout(400);
    },
    async screenshot(name, clip) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      const path = join(SCREENSHOTS, `${name}.png`);
      if (Array.isArray(clip)) {
        // The smallest rectangle around all the parts (a side bar and the context menu opened over it).
        const boxes = await Promise.all(clip.map(async (c) => (await c.boundingBox()) ?? undefined));
        const seen = boxes.filter((b) => b !== undefined);
        if (!seen.length) throw new Error(`none of the parts of ${name} is on screen`);
        const x = Math.min(...seen.map((b) => b.x));
        const y = Math.min(...seen.map((b) => b.y));
        const width = Math.max(...seen.map((b) => b.x + b.width)) - x;
        const height = Math.max(...seen.map((b) => b.y + b.height)) - y;
        await page.screenshot({ path, clip: { x, y, width, height } });
      } else if (clip) await clip.screenshot({ path });
      else await page.screenshot({ path });
      return path;
    },
  };
  return wb;
}

/**
 * A process's row in the Processes view, as laid out for the default side bar: its name, then its
 * CPU share and elapsed time (`0% · 12m03s`, a state worth a warning may lead), then its pid, or
 * the pid in the label (`gunicorn (4242)`) when another process has the same name.
 * `name` is a RegExp source (default: any name).
 */
export function processRowText(pid: number, name = '\\S+'): RegExp {
  const facts = '(?:[a-z ]+ · )?(?:\\d+|<1)% · \\w+';
  return new RegExp(`(?:${name}\\s*${facts} · pid ${pid}(?!\\d)|${name} \\(${pid}\\)\\s*${facts}(?! · pid))`);
}

/**
 * A frame's row in the Stacks view: `main  socket_recv.py:30`; the frame marked "◀ here" leads with
 * the mark and its line, which the default side bar never cuts: `fetch_reply  ◀ here :12 socket_recv.py`.
 * `fn` and `file` are plain text.
 */
export function frameRowText(fn: string, file: string, line: number, here = true): RegExp {
  const [f, name] = [escapeRegExp(fn), escapeRegExp(file)];
  return new RegExp(here ? `${f}\\s*◀ here :${line} ${name}(?!\\S)` : `${f}\\s*${name}:${line}\\b`);
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
