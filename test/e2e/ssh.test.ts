// A stuck process on an SSH host in a real VS Code workbench: the host (from snag.sshHosts, reached
// through a real sshd with its own ssh config) → open it: it connects → its Python process →
// Dump Stacks → click the frame → the file has no copy in the workspace, so it opens read-only
// from the host (a `snag-remote:` document) at the hanging line.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SshConnection } from '../../src/core/targets/sshConnection';
import { hangLine, PROGRAMS, processState } from '../support/programs';
import { absolutePython, startRemoteProgram, startSshd } from '../support/sshd';
import { TOOL_VENV_BIN } from '../support/tools';
import { testSettings } from './support/codeServer';
import { escapeRegExp, frameRowText, openWorkbench, processRowText } from './support/workbench';
import { waitForAfterText, waitForCursorLine } from './support/editor';

const PROGRAM = 'socket_recv.py';

test('a stuck process on an SSH host: connect from the tree, dump, open the remote file read-only', { timeout: 600_000 }, async (t) => {
  const sshd = await startSshd(t);
  if (!sshd) return;
  const line = hangLine(PROGRAM, 'recv');
  // The host's deployment, and a workspace that has no copy of it.
  const base = mkdtempSync(join(tmpdir(), 'snag-e2e-ssh-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const deployed = join(base, 'srv', 'app');
  const workspace = join(base, 'workspace');
  mkdirSync(deployed, { recursive: true });
  mkdirSync(workspace);
  writeFileSync(join(workspace, 'README.md'), 'The service runs on snag-test.\n');
  copyFileSync(join(PROGRAMS, PROGRAM), join(deployed, PROGRAM));
  const starter = new SshConnection({ host: sshd.host, configFile: sshd.clientConfig, controlDir: join(sshd.dir, 'ctl') });
  t.after(() => starter.close());
  const program = await startRemoteProgram(starter, absolutePython(), join(deployed, PROGRAM), join(base, 'program.log'));
  t.after(program.stop);

  const wb = await openWorkbench(t, {
    folder: workspace,
    settings: testSettings({
      'snag.ssh.configFile': sshd.clientConfig,
      'snag.sshHosts': [{ host: sshd.host, label: 'snag-test', pyspyPath: join(TOOL_VENV_BIN, 'py-spy') }],
    }),
  });
  if (!wb) return;
  const page = wb.page;
  await wb.openSnagView();

  await t.test('the host is listed collapsed; opening it connects and lists its Python process', async () => {
    const host = await wb.treeRow(/^snag-test/, { view: 'Processes', timeoutMs: 60_000 });
    assert.equal(await host.getAttribute('aria-expanded'), 'false', 'hosts connect only when opened');
    await host.click();
    // This "host" is this machine: the same process is listed under Local too. Fold Local away,
    // as a person would, so the only row left is the host's.
    const local = await wb.treeRow(/^Local\b/, { view: 'Processes' });
    // Folded for sure before the row is picked: on a loaded machine a refresh can land between.
    await wb.setExpanded(local, false);
    const proc = await wb.treeRow(processRowText(program.pid, escapeRegExp(PROGRAM)), { view: 'Processes', timeoutMs: 60_000 });
    await wb.treeRow(/^snag-test\s*Linux/, { view: 'Processes', timeoutMs: 60_000 });
    await wb.settle();
    await wb.screenshot('ssh-host', wb.sideBar);
    await wb.rightClick(proc);
    await wb.clickMenu('Dump Stacks');
  });

  await t.test('the frame opens read-only from the host at the hanging line', async () => {
    const frame = await wb.treeRow(frameRowText('fetch_reply', PROGRAM, line), { view: 'Stacks', timeoutMs: 60_000 });
    assert.notEqual(processState(program.pid), 'T', 'the process keeps running');
    await frame.click();
    const tab = page.locator('.tabs-container .tab.active', { hasText: PROGRAM });
    await tab.waitFor({ timeout: 60_000 });
    const selection = page.locator('[id="status.editor.selection"]');
    const deadline = Date.now() + 30_000;
    let text = '';
    while (Date.now() < deadline && !new RegExp(`Ln ${line},`).test(text)) {
      text = (await selection.textContent().catch(() => '')) ?? '';
      if (!new RegExp(`Ln ${line},`).test(text)) await page.waitForTimeout(200);
    }
    assert.match(text, new RegExp(`Ln ${line},`));
    // The hanging line's text came from the host, and the editor will not take edits.
    await page.locator('.editor-group-container.active .view-line', { hasText: 'SNAG-HANG: recv' }).first().waitFor();
    // The remote document gets the dump's marker on the hanging line and the CodeLens, like a local file.
    await waitForAfterText(page, line, /⏸ MainThread/);
    await page
      .locator('.editor-group-container.active .codelens-decoration', { hasText: /thread.? stopped in this file/ })
      .first()
      .waitFor();
    // The workspace holds no copy of the file (only a README): this text came from the host.
    const hanging = page.locator('.editor-group-container.active .view-line', { hasText: 'SNAG-HANG: recv' }).first();
    const before = await hanging.textContent();
    await hanging.click();
    await page.keyboard.type('x');
    await page.waitForTimeout(500);
    assert.equal(await hanging.textContent(), before, 'the remote document takes no edits');
    await page.locator('.monaco-editor-overlaymessage', { hasText: 'Cannot edit in read-only editor' }).waitFor();
    await wb.settle();
    await wb.screenshot('ssh-remote-frame');
  });

  await t.test('sampling it: py-spy record on the host; the stuck thread opens the remote file, with heat on the line', async () => {
    const proc = await wb.treeRow(processRowText(program.pid, escapeRegExp(PROGRAM)), { view: 'Processes', timeoutMs: 60_000 });
    await wb.rightClick(proc);
    await wb.clickMenu('Start Sampling');
    const view = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    const stuck = view.locator('li.thread.stuck.link', {
      hasText: new RegExp(`MainThread stuck for \\d+ s at fetch_reply \\(${PROGRAM.replace('.', '\\.')}:${line}\\) — waits (in a socket read|.* to answer)`),
    });
    await stuck.waitFor({ timeout: 60_000 });
    await view.locator('.facts', { hasText: 'py-spy record' }).waitFor();
    await wb.runCommand('View: Close All Editors');
    await wb.openFrame(stuck, PROGRAM);
    await waitForCursorLine(page, line);
    // A thread that waits has no CPU samples: its heat is its wall-clock share.
    await waitForAfterText(page, line, /🔥 \d+\.\d %|⏳ \d+\.\d % wall-clock/);
    await view.locator('button.btn[data-command="stop"]').click();
    await view.locator('.badge.stopped').waitFor();
    assert.notEqual(processState(program.pid), 'T', 'the process keeps running');
  });
});
