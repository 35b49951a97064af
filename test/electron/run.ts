// The extension-host suite (test/e2e/exthost/suite.ts) in desktop VS Code, for machines that can
// download it: `npm run test:electron` (on a Linux server without a display: under `xvfb-run -a`).
// @vscode/test-electron is not a dependency: CI runs the same suite in code-server instead
// (test/e2e/extensionHost.test.ts) and must not download anything. Install it for a run with
//   npm install --no-save @vscode/test-electron
// SNAG_VSCODE_VERSION picks the VS Code build (default: the oldest Snag supports, 1.100.3).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testSettings } from '../e2e/support/codeServer';
import { prepareSuite } from '../e2e/exthost/prepare';
import { PROGRAMS, REPO, startProgram } from '../support/programs';

interface TestElectron {
  runTests(o: { version?: string; extensionDevelopmentPath: string; extensionTestsPath: string; launchArgs?: string[] }): Promise<number>;
}

async function loadTestElectron(): Promise<TestElectron> {
  const name = '@vscode/test-electron'; // not a dependency; resolved only when installed
  try {
    return (await import(name)) as TestElectron;
  } catch {
    console.error(`${name} is not installed. Run: npm install --no-save ${name}`);
    process.exit(2);
  }
}

async function main(): Promise<number> {
  const { runTests } = await loadTestElectron();
  const program = await startProgram('socket_recv.py');
  const suite = await prepareSuite(program.pid);
  const userData = mkdtempSync(join(tmpdir(), 'snag-electron-'));
  try {
    mkdirSync(join(userData, 'User'), { recursive: true });
    writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(testSettings()));
    let code: number;
    try {
      code = await runTests({
        version: process.env.SNAG_VSCODE_VERSION ?? '1.100.3',
        extensionDevelopmentPath: REPO,
        extensionTestsPath: suite.suitePath,
        launchArgs: [PROGRAMS, '--user-data-dir', userData, '--disable-extensions'],
      });
    } catch (err) {
      console.error(String(err));
      code = 1;
    }
    let results: ReturnType<typeof suite.results> = [];
    try {
      results = suite.results();
    } catch {
      console.error('the suite wrote no results');
      return 1;
    }
    for (const r of results) console.log(`${r.ok ? '✔' : '✖'} ${r.name} (${r.ms} ms)${r.ok ? '' : `\n${r.error}`}`);
    return code === 0 && results.length > 0 && results.every((r) => r.ok) ? 0 : 1;
  } finally {
    program.stop();
    suite.dispose();
    rmSync(userData, { recursive: true, force: true });
  }
}

main().then((code) => process.exit(code));
