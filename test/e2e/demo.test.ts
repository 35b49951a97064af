// `npm run demo` (scripts/demo.sh) end to end, as a newcomer meets it: the script installs what it
// needs, packages Snag, starts the stuck worker from examples/ and code-server, and prints a URL
// and three clicks. The test opens that URL, does exactly those three clicks, checks it lands on
// the hanging line, and then presses Ctrl-C (SIGINT), which must stop everything the demo started.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { processState, REPO } from '../support/programs';
import { requireTool } from '../support/tools';
import { CODE_SERVER_BIN_DIR, freePort } from './support/codeServer';
import { lineContaining, waitForAfterText, waitForCursorLine } from './support/editor';
import { startInBackground } from './support/background';
import { frameRowText, openInBrowser, processRowText, requireChromium } from './support/workbench';

const WORKER = join(REPO, 'examples', 'stuck-worker', 'worker.py');

/** Waits for a line of the demo's output matching `pattern` (setup and packaging come first). */
async function waitForOutput(output: () => string, exited: () => boolean, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = pattern.exec(output());
    if (m) return m;
    if (exited()) throw new Error(`the demo exited early:\n${output()}`);
    if (Date.now() > deadline) throw new Error(`no ${pattern} in the demo's output within ${timeoutMs / 1000} s:\n${output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function killGroups(pgidsFile: string): void {
  let pgids: string[];
  try {
    pgids = readFileSync(pgidsFile, 'utf8').split('\n').filter(Boolean);
  } catch {
    return;
  }
  for (const pgid of pgids) {
    try {
      process.kill(-Number(pgid), 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

test('npm run demo: a workbench with Snag on a stuck worker; three clicks to the hanging line; Ctrl-C stops it all', { timeout: 300_000 }, async (t) => {
  const chromiumPath = requireChromium(t);
  if (
    !chromiumPath ||
    !requireTool(t, 'code-server', 'bash scripts/setup.sh e2e', [CODE_SERVER_BIN_DIR]) ||
    !requireTool(t, 'py-spy', 'bash scripts/setup.sh core')
  )
    return;
  const port = await freePort();
  const state = mkdtempSync(join(tmpdir(), 'snag-demo-'));
  const demo = await startInBackground(['bash', 'scripts/demo.sh'], {
    cwd: REPO,
    env: { SNAG_DEMO_PORT: String(port), SNAG_DEMO_EDITOR: 'code-server', SNAG_DEMO_STATE: state },
  });
  t.after(async () => {
    // Normally already stopped by the SIGINT below; after a failure: the demo's trap, then by force.
    if (!demo.hasExited()) process.kill(demo.pid, 'SIGTERM');
    await demo.exitedWithin(10_000);
    killGroups(join(state, 'run', 'pgids'));
    await demo.stop();
    rmSync(state, { recursive: true, force: true });
  });

  const [url] = await waitForOutput(demo.output, demo.hasExited, /http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+/, 240_000);
  assert.ok(url.startsWith(`http://127.0.0.1:${port}/?folder=`), url);
  const workerPid = Number((await waitForOutput(demo.output, demo.hasExited, /worker\.py \(pid (\d+)\) is stuck/, 1_000))[1]);
  const hang = lineContaining(WORKER, 'urlopen(url)');
  // The instructions follow the URL by a moment: wait for them rather than read the output once.
  await waitForOutput(demo.output, demo.hasExited, new RegExp(`download_file  worker\\.py:${hang}`), 10_000);

  const wb = await openInBrowser(t, chromiumPath, url);
  const page = wb.page;
  // Click 1: the Snag icon in the activity bar.
  await page.locator('.activitybar a[aria-label^="Snag"]').click();
  await wb.view('Processes').waitFor();
  // Click 2: the Dump Stacks button on the worker's row.
  const row = await wb.treeRow(processRowText(workerPid, 'worker\\.py'), { view: 'Processes' });
  assert.match((await row.textContent()) ?? '', /worker\.py/);
  await row.hover();
  await row.locator('.actions .action-label[aria-label="Dump Stacks"]').click();
  // Click 3: the frame marked "here" under MainThread.
  const frame = await wb.treeRow(frameRowText('download_file', 'worker.py', hang), { view: 'Stacks' });
  await wb.treeRow(/progress-reporter/, { view: 'Stacks' });
  await wb.openFrame(frame, 'worker.py');
  await waitForCursorLine(page, hang);
  await waitForAfterText(page, hang, /⏸ MainThread/);
  assert.notEqual(processState(workerPid), 'T', 'the worker keeps running after the dump');
  await wb.settle();
  await wb.screenshot('demo');

  // A settings change (the view's filter) must not lose the py-spy the demo configured.
  await wb.togglePythonOnly('all processes');
  await wb.togglePythonOnly('Python only');
  await wb.pickProcess('Snag: Attach to Process', 'worker.py', workerPid);
  // The second dump landed: the marker compares it with the first.
  await waitForAfterText(page, hang, /⏸ MainThread · idle · same place ≥ \d+ s/);
  assert.equal(await page.locator('.notifications-toasts', { hasText: /py-spy was not found/ }).count(), 0, 'py-spy is still found');

  // Ctrl-C: the terminal sends SIGINT to the script.
  process.kill(demo.pid, 'SIGINT');
  const code = await demo.exitedWithin(30_000);
  assert.equal(code, 0, `the demo exits cleanly on Ctrl-C:\n${demo.output().slice(-2000)}`);
  const workerState = processState(workerPid);
  assert.ok(workerState === undefined || workerState === 'Z', `the worker is gone (state ${workerState})`);
  await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(5_000) }), 'code-server is stopped');
});
