// A containerised stuck process in a real VS Code workbench: Docker group → container → its
// Python process → Dump Stacks → click the frame → the workspace file (bind-mounted at /app in
// the container) opens at the hanging line. The engine is real (a private dockerd when none runs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireDocker, runProgramContainer, startDockerEngine } from '../support/dockerEngine';
import { hangLine, PROGRAMS, processState } from '../support/programs';
import { testSettings } from './support/codeServer';
import { escapeRegExp, frameRowText, openWorkbench, processRowText } from './support/workbench';

const PROGRAM = 'socket_recv.py';

test('a stuck process in a Docker container: dump from the tree, click the frame, land in the workspace file', { timeout: 600_000 }, async (t) => {
  const engine = await startDockerEngine();
  const e = requireDocker(t, engine);
  if (!e) return;
  t.after(() => e.stop());
  // Started before the workbench so the extension host inherits DOCKER_HOST (set by startDockerEngine).
  const c = await runProgramContainer(e, PROGRAM);
  t.after(() => c.remove());
  const line = hangLine(PROGRAM, 'recv');

  const wb = await openWorkbench(t, { folder: PROGRAMS, settings: testSettings({ 'snag.containers.engine': 'docker' }) });
  if (!wb) return;
  const page = wb.page;
  await wb.openSnagView();

  await t.test('Docker → the container (name, image, status) → its Python process', async () => {
    await wb.treeRow(/^Docker/, { view: 'Processes' });
    const container = await wb.treeRow(new RegExp(`${c.name}.*${e.image.replace(/[.]/g, '\\.')} · Up`), { view: 'Processes', timeoutMs: 60_000 });
    if ((await container.getAttribute('aria-expanded')) !== 'true') await container.click();
    const proc = await wb.treeRow(processRowText(1, escapeRegExp(PROGRAM)), { view: 'Processes' });
    await wb.rightClick(proc);
    await wb.screenshot('container-processes');
    await wb.clickMenu('Dump Stacks');
  });

  await t.test('the dump names the way in, and its frame opens the bind-mounted workspace file at the line', async () => {
    const frame = await wb.treeRow(frameRowText('fetch_reply', PROGRAM, line), { view: 'Stacks', timeoutMs: 60_000 });
    assert.match((await wb.view('Stacks').textContent()) ?? '', /py-spy \(host\)/, 'the strategy used is shown');
    assert.notEqual(processState(c.hostPid), 'T', 'the container process keeps running');
    await wb.openFrame(frame, PROGRAM);
    const selection = page.locator('[id="status.editor.selection"]');
    const deadline = Date.now() + 30_000;
    let text = '';
    while (Date.now() < deadline && !new RegExp(`Ln ${line},`).test(text)) {
      text = (await selection.textContent().catch(() => '')) ?? '';
      if (!new RegExp(`Ln ${line},`).test(text)) await page.waitForTimeout(200);
    }
    assert.match(text, new RegExp(`Ln ${line},`));
    // The tab's tooltip is the file's path: the workspace copy, not a container path.
    const title =
      (await page.locator('.tabs-container .tab.active').getAttribute('title')) ??
      (await page.locator('.tabs-container .tab.active').getAttribute('aria-label')) ??
      '';
    assert.match(title, new RegExp(`${PROGRAMS.split('/').pop()}|${PROGRAM}`));
    await wb.screenshot('container-frame');
  });
});
