// The architecture's rules (eslint.config.mjs) catch a planted violation of each, and let the
// allowed cases through. Each case is written into a temporary folder laid out like the project,
// because the rules are chosen by path and the cycle and targets→backends rules follow real files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint, type Linter } from 'eslint';

const CONFIG = pathToFileURL(join(__dirname, '..', '..', 'eslint.config.mjs')).href;

/** Lints `files` (path → text) laid out in a fresh folder; returns the rule ids reported, per file. */
async function lint(files: Record<string, string>): Promise<Record<string, string[]>> {
  const root = mkdtempSync(join(tmpdir(), 'snag-lint-'));
  try {
    writeFileSync(join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler', strict: true } }));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    const { snagConfig } = (await import(CONFIG)) as { snagConfig: (root: string) => Linter.Config[] };
    const eslint = new ESLint({ cwd: root, overrideConfigFile: true, overrideConfig: snagConfig(root) });
    const results = await eslint.lintFiles(Object.keys(files));
    const out: Record<string, string[]> = {};
    for (const r of results) out[r.filePath.slice(root.length + 1)] = r.messages.map((m) => m.ruleId ?? `fatal: ${m.message}`);
    return out;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const RESTRICTED_IMPORT = '@typescript-eslint/no-restricted-imports';
const RESTRICTED_SYNTAX = 'no-restricted-syntax';

test('vscode imported at run time in src/core and src/cli, even across lines', async () => {
  const r = await lint({
    'src/core/a.ts': "import * as vscode from 'vscode';\nexport const w = vscode.window;\n",
    'src/cli/b.ts': "import {\n  window,\n} from 'vscode';\nexport const w = window;\n",
  });
  assert.deepEqual(r['src/core/a.ts'], [RESTRICTED_IMPORT]);
  assert.deepEqual(r['src/cli/b.ts'], [RESTRICTED_IMPORT]);
});

test('vscode imported for types only in src/core and test/unit', async () => {
  const r = await lint({
    'src/core/a.ts': "import type { Uri } from 'vscode';\nexport type U = Uri;\n",
    'src/core/b.ts': "export type W = typeof import('vscode').window;\n",
    'test/unit/c.test.ts': "import type * as vscode from 'vscode';\nexport type U = vscode.Uri;\n",
  });
  assert.deepEqual(r['src/core/a.ts'], [RESTRICTED_IMPORT]);
  assert.deepEqual(r['src/core/b.ts'], [RESTRICTED_SYNTAX]);
  assert.deepEqual(r['test/unit/c.test.ts'], [RESTRICTED_IMPORT]);
});

test('execa outside src/core/run.ts, statically or with import()', async () => {
  const r = await lint({
    'src/core/backends/a.ts': "import { execa } from 'execa';\nexport const e = execa;\n",
    'src/extension/b.ts': "export const e = import('execa');\n",
  });
  assert.deepEqual(r['src/core/backends/a.ts'], [RESTRICTED_IMPORT]);
  assert.deepEqual(r['src/extension/b.ts'], [RESTRICTED_SYNTAX]);
});

test('child_process outside src/core/run.ts, by either name, with import or require', async () => {
  const r = await lint({
    'src/extension/a.ts': "import { spawn } from 'node:child_process';\nexport const s = spawn;\n",
    'src/core/b.ts': "import { execFile } from 'child_process';\nexport const s = execFile;\n",
    'src/cli/c.ts': "// eslint-disable-next-line @typescript-eslint/no-require-imports\nexport const cp = require('node:child_process');\n",
    'src/newFolder/d.ts': "import { fork } from 'node:child_process';\nexport const f = fork;\n",
  });
  assert.deepEqual(r['src/newFolder/d.ts'], [RESTRICTED_IMPORT], 'anywhere under src/, not only the folders known today');
  assert.deepEqual(r['src/extension/a.ts'], [RESTRICTED_IMPORT]);
  assert.deepEqual(r['src/core/b.ts'], [RESTRICTED_IMPORT]);
  assert.deepEqual(r['src/cli/c.ts'], [RESTRICTED_SYNTAX]);
});

test('src/core/targets importing from src/core/backends', async () => {
  const r = await lint({
    'src/core/backends/reader.ts': 'export const read = 1;\n',
    'src/core/targets/a.ts': "import { read } from '../backends/reader';\nexport const r = read;\n",
    'src/core/targets/b.ts': "import type { read } from '../backends/reader';\nexport type R = typeof read;\n",
    'src/core/targets/c.ts': "export type R = typeof import('../backends/reader');\n",
  });
  assert.deepEqual(r['src/core/targets/c.ts'], [RESTRICTED_SYNTAX], 'a type-level import() too');
  assert.deepEqual(r['src/core/targets/a.ts'], ['import-x/no-restricted-paths']);
  assert.deepEqual(r['src/core/targets/b.ts'], ['import-x/no-restricted-paths']);
});

test('a cycle of two files', async () => {
  const r = await lint({
    'src/core/a.ts': "import { b } from './b';\nexport const a = () => b;\n",
    'src/core/b.ts': "import { a } from './a';\nexport const b = () => a;\n",
  });
  assert.deepEqual(r['src/core/a.ts'], ['import-x/no-cycle']);
  assert.deepEqual(r['src/core/b.ts'], ['import-x/no-cycle']);
});

test('the allowed cases pass: run.ts, the extension, tests, backends using targets, type-only cycles', async () => {
  const r = await lint({
    'src/core/run.ts':
      "import type { ResultPromise } from 'execa';\nimport { spawn } from 'node:child_process';\n" +
      "export type E = (typeof import('execa'))['execa'];\nexport const load = () => import('execa');\nexport type P = ResultPromise;\nexport const s = spawn;\n",
    'src/extension/a.ts': "import * as vscode from 'vscode';\nexport const w = vscode.window;\n",
    'test/integration/b.test.ts': "import { spawn } from 'node:child_process';\nimport { execa } from 'execa';\nexport const s = [spawn, execa];\n",
    'test/e2e/c.ts': "import * as vscode from 'vscode';\nexport const w = vscode.window;\n",
    'src/core/targets/target.ts': 'export interface Target { pid: number }\n',
    'src/core/backends/reader.ts': "import type { Target } from '../targets/target';\nexport interface Reader { read(t: Target): void }\n",
    'src/core/format/a.ts': "import type { B } from './b';\nexport interface A { b?: B }\n",
    'src/core/format/b.ts': "import { type A } from './a';\nexport interface B { a?: A }\n",
  });
  for (const [file, rules] of Object.entries(r)) assert.deepEqual(rules, [], file);
});
