// Extension-host tests in code-server: the workbench URL's `payload` names the installed Snag as
// extensionDevelopmentPath and a bundled suite (exthost/suite.ts) as extensionTestsPath, so VS Code
// runs the suite inside the real extension host, next to Snag, against a real stuck process.
// The workbench reports the suite's end through window.codeAutomationExit (as @vscode/test-web
// relies on); the suite writes one result per case, which this test turns into assertions.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { processState, PROGRAMS, startProgram } from '../support/programs';
import type { CaseResult } from './exthost/suite';
import { prepareSuite } from './exthost/prepare';
import { openWorkbench } from './support/workbench';

const RUN_TIMEOUT_MS = 180_000;

test('extension-host tests: Snag driven through the VS Code API inside code-server', { timeout: 300_000 }, async (t) => {
  const program = await startProgram('socket_recv.py');
  t.after(() => program.stop());
  const suite = await prepareSuite(program.pid);
  t.after(() => suite.dispose());

  let reportExit: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => (reportExit = resolve));
  const consoleLines: string[] = [];
  const wb = await openWorkbench(t, {
    folder: PROGRAMS,
    waitForSnag: false,
    // The packaged extension, as installed from the .vsix, is the one under test.
    payload: (server, remoteUri) => [
      ['extensionDevelopmentPath', remoteUri(join(server.extensionsDir, `${suite.extensionId}-${suite.version}`))],
      ['extensionTestsPath', remoteUri(suite.suitePath)],
    ],
    beforeLoad: async (page) => {
      page.on('console', (m) => consoleLines.push(m.text()));
      await page.exposeFunction('codeAutomationExit', (code: number) => reportExit(code));
    },
  });
  if (!wb) return;

  let timer: ReturnType<typeof setTimeout> | undefined;
  const code = await Promise.race([exited, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), RUN_TIMEOUT_MS)))]);
  clearTimeout(timer);
  const log = () => consoleLines.slice(-30).join('\n');
  assert.notEqual(code, 'timeout', `the extension-host suite did not finish within ${RUN_TIMEOUT_MS / 1000} s; console:\n${log()}`);

  let results: CaseResult[] = [];
  try {
    results = suite.results();
  } catch {
    assert.fail(`the suite wrote no results (exit ${code}); console:\n${log()}`);
  }
  for (const r of results) {
    await t.test(r.name, (st) => {
      st.diagnostic(`${r.ms} ms in the extension host`);
      assert.ok(r.ok, r.error);
    });
  }
  assert.equal(results.length, 6, 'every case ran');
  assert.equal(code, 0, `extension host exit code; console:\n${log()}`);
  assert.notEqual(processState(program.pid), 'T', 'the dumped process keeps running');
});
