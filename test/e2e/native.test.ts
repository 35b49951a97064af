// Native frames in a real VS Code workbench: with snag.dump.backend = gdb, "Dump Stacks with
// Native Frames" on a process whose finalizer blocks in libc shows the libc frame, the folded C
// frames, the Python __del__ at its line with the garbage-collector marker, and the backend used.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lastTick, taskStates, ticksAdvance } from '../support/gdbDump';
import { hangLine, PROGRAMS, startProgram } from '../support/programs';
import { requireTool } from '../support/tools';
import { testSettings } from './support/codeServer';
import { frameRowText, openWorkbench, processRowText } from './support/workbench';

const PROGRAM = 'gc_finalizer_c.py';

test('gdb dump in the Stacks view: libc frame, native runs folded, __del__ marked as called by the GC', { timeout: 300_000 }, async (t) => {
  const gdb = requireTool(t, 'gdb', 'bash scripts/setup.sh core');
  if (!gdb) return;
  const prog = await startProgram(PROGRAM, ['--heartbeat']);
  t.after(() => prog.stop());
  const line = hangLine(PROGRAM, 'finalizer');

  const wb = await openWorkbench(t, { folder: PROGRAMS, settings: testSettings({ 'snag.dump.backend': 'gdb', 'snag.gdbPath': gdb }) });
  if (!wb) return;
  const page = wb.page;
  await wb.openSnagView();

  await t.test('right-click the process → Dump Stacks with Native Frames', async () => {
    const row = await wb.treeRow(processRowText(prog.pid), { view: 'Processes', timeoutMs: 60_000 });
    await wb.rightClick(row);
    await wb.clickMenu('Dump Stacks with Native Frames');
    const del = await wb.treeRow(new RegExp(`${frameRowText('NativeHandle.__del__', PROGRAM, line).source}.*called from the garbage collector`), {
      view: 'Stacks',
      timeoutMs: 90_000,
    });
    assert.match((await del.getAttribute('aria-label')) ?? '', /stopped here/);
    const stacks = (await wb.view('Stacks').textContent()) ?? '';
    assert.match(stacks, /gdb \(py-bt\)/, 'the backend and method are shown');
    await wb.treeRow(/(^|_)pause\s*pause\.c:\d+/, { view: 'Stacks' });
    await wb.treeRow(/\d+ native frames/, { view: 'Stacks' });
    assert.ok(!taskStates(prog.pid).includes('T'), 'the dumped process is not left stopped');
    await ticksAdvance(prog, lastTick(prog));
    await wb.settle();
    await wb.screenshot('native-frames', wb.sideBar);
  });

  await t.test('the Python frame among the native ones opens its file at the line', async () => {
    // The frame's row (the finding's rows name the function too).
    const del = await wb.treeRow(frameRowText('NativeHandle.__del__', PROGRAM, line), { view: 'Stacks' });
    await wb.openFrame(del, PROGRAM);
    const selection = page.locator('[id="status.editor.selection"]');
    const deadline = Date.now() + 30_000;
    let text = '';
    while (Date.now() < deadline && !new RegExp(`Ln ${line},`).test(text)) {
      text = (await selection.textContent().catch(() => '')) ?? '';
      if (!new RegExp(`Ln ${line},`).test(text)) await page.waitForTimeout(200);
    }
    assert.match(text, new RegExp(`Ln ${line},`));
  });
});
