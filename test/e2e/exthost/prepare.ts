// Gets the extension-host suite ready to load: bundled to one CommonJS file (the extension host
// cannot run TypeScript; `vscode` is what it provides) in a temp folder, with its input beside it.
// Used by the code-server test (../extensionHost.test.ts) and the desktop runner (test/electron/).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { hangLine, PROGRAMS, REPO } from '../../support/programs';
import type { CaseResult, SuiteInput } from './suite';

export interface PreparedSuite {
  /** The bundle to pass as extensionTestsPath. */
  suitePath: string;
  extensionId: string;
  version: string;
  /** What the suite wrote (throws when it wrote nothing). */
  results(): CaseResult[];
  dispose(): void;
}

export async function prepareSuite(socketRecvPid: number): Promise<PreparedSuite> {
  const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
  const extensionId = `${manifest.publisher}.${manifest.name}`;
  const dir = mkdtempSync(join(tmpdir(), 'snag-exthost-'));
  const suitePath = join(dir, 'suite.js');
  await build({
    entryPoints: [join(__dirname, 'suite.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode'],
    loader: { '.py': 'text' },
    outfile: suitePath,
    logLevel: 'warning',
  });
  const file = join(PROGRAMS, 'socket_recv.py');
  const otherLine =
    readFileSync(file, 'utf8')
      .split('\n')
      .findIndex((l) => l.includes('threading.Event().wait()')) + 1;
  const input: SuiteInput = { extensionId, pid: socketRecvPid, file, hangLine: hangLine('socket_recv.py', 'recv'), otherLine };
  writeFileSync(join(dir, 'input.json'), JSON.stringify(input));
  return {
    suitePath,
    extensionId,
    version: manifest.version,
    results: () => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as CaseResult[],
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
