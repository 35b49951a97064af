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

test('every TypeScript ending is linted: .tsx, .mts and .cts files are held to the rules too', async () => {
  const r = await lint({
    'src/core/a.mts': "import * as vscode from 'vscode';\nexport const w = vscode.window;\n",
    'src/core/b.cts': "import { spawn } from 'node:child_process';\nexport const s = spawn;\n",
    'src/cli/c.tsx': "import type { Uri } from 'vscode';\nexport type U = Uri;\n",
  });
  assert.deepEqual(r['src/core/a.mts'], [RESTRICTED_IMPORT]);
  assert.deepEqual(r['src/core/b.cts'], [RESTRICTED_IMPORT]);
  assert.deepEqual(r['src/cli/c.tsx'], [RESTRICTED_IMPORT]);
});

test('vscode anywhere under src/ but src/extension, a folder added later included', async () => {
  const r = await lint({
    'src/lsp/a.ts': "import * as vscode from 'vscode';\nexport const w = vscode.window;\n",
    'src/lsp/b.ts': "export type W = typeof import('vscode').window;\n",
    'src/extension/deep/c.ts': "import * as vscode from 'vscode';\nexport const w = vscode.window;\n",
  });
  assert.deepEqual(r['src/lsp/a.ts'], [RESTRICTED_IMPORT]);
  assert.deepEqual(r['src/lsp/b.ts'], [RESTRICTED_SYNTAX]);
  assert.deepEqual(r['src/extension/deep/c.ts'], []);
});

const LAYERS = 'snag/no-import-from';

test('src/core and src/cli reaching into the extension, scripts, tests or benchmarks, by any kind of import', async () => {
  const r = await lint({
    'src/extension/services.ts': 'export const services = 1;\n',
    'src/core/relay.ts': "export * from '../extension/services';\n",
    'src/core/targets/a.ts': "import type { services } from '../../extension/services';\nexport type S = typeof services;\n",
    'src/core/b.ts': "export type T = typeof import('../../test/support/tools');\n",
    'src/core/c.ts': "export const load = () => import('../../bench/run');\n",
    'src/core/d.ts': "import { lint } from '../../scripts/lint';\nexport const l = lint;\n",
    'src/core/e.ts': "import { main } from '../cli/main';\nexport const m = main;\n",
    'src/cli/f.ts': "import { services } from '../extension/services';\nexport const s = services;\n",
    'src/cli/g.ts': "// eslint-disable-next-line @typescript-eslint/no-require-imports\nexport const t = require('../../test/support/tools');\n",
  });
  for (const f of [
    'src/core/relay.ts',
    'src/core/targets/a.ts',
    'src/core/b.ts',
    'src/core/c.ts',
    'src/core/d.ts',
    'src/core/e.ts',
    'src/cli/f.ts',
    'src/cli/g.ts',
  ]) {
    assert.deepEqual(r[f], [LAYERS], f);
  }
});

test('the extension and tests may import core and cli; cli may import core', async () => {
  const r = await lint({
    'src/core/model.ts': 'export const m = 1;\n',
    'src/cli/main.ts': "import { m } from '../core/model';\nexport const main = m;\n",
    'src/extension/a.ts': "import { m } from '../core/model';\nimport { main } from '../cli/main';\nexport const x = [m, main];\n",
    'test/unit/b.test.ts': "import { m } from '../../src/core/model';\nexport const x = m;\n",
  });
  for (const [file, rules] of Object.entries(r)) assert.deepEqual(rules, [], file);
});

test('module loading the import rules cannot see, anywhere under src/', async () => {
  const noRequire = '// eslint-disable-next-line @typescript-eslint/no-require-imports\n';
  const r = await lint({
    'src/core/a.ts': "const name = 'exe' + 'ca';\nexport const m = import(name);\n",
    'src/core/b.ts': "const name = 'node:child_process';\nexport const m = import(`${name}`);\n",
    'src/cli/c.ts': `const name = 'child_process';\n${noRequire}export const m = require(name);\n`,
    'src/extension/d.ts': "const r = require;\nexport const m = r('node:child_process');\n",
    'src/core/e.ts': "import { createRequire } from 'node:module';\nexport const m = createRequire(__filename)('node:child_process');\n",
    'src/core/f.ts': "import * as nodeModule from 'node:module';\nexport const m = nodeModule.createRequire;\n",
    'src/core/g.ts': "export const m = module.require('node:child_process');\n",
    'src/extension/h.ts': "export const m = process.binding('spawn_sync');\n",
    'src/core/i.ts': "export const m = (process as unknown as { _linkedBinding(n: string): unknown })._linkedBinding('x');\n",
    'src/core/j.ts': "export const m = process.getBuiltinModule('node:child_process');\n",
    'src/core/k.ts': "export const m = globalThis.process['binding']('spawn_sync');\n",
    'src/extension/l.ts': "export const m = import('execa/index.js');\n",
  });
  for (const [file, rules] of Object.entries(r)) {
    assert.ok(rules.length > 0 && rules.every((id) => id === RESTRICTED_SYNTAX), `${file}: ${rules.join(', ')}`);
  }
});

test('cross-spawn and cluster start programs too; require.main and literal imports are fine', async () => {
  const r = await lint({
    'src/extension/a.ts': "import spawn from 'cross-spawn';\nexport const s = spawn;\n",
    'src/core/b.ts': "import cluster from 'node:cluster';\nexport const c = cluster;\n",
    'src/cli/c.ts': "export const c = import('cluster');\n",
    'src/cli/main.ts': "export const isMain = require.main === module;\nexport const load = () => import('node:fs');\n",
  });
  assert.deepEqual(r['src/extension/a.ts'], [RESTRICTED_IMPORT]);
  assert.deepEqual(r['src/core/b.ts'], [RESTRICTED_IMPORT]);
  assert.deepEqual(r['src/cli/c.ts'], [RESTRICTED_SYNTAX]);
  assert.deepEqual(r['src/cli/main.ts'], []);
});

test('npm run lint runs the folder-cycle check even when ESLint fails, and fails if either does', async () => {
  const { lint: lintProject } = (await import(pathToFileURL(join(__dirname, '..', '..', 'scripts', 'lint.mjs')).href)) as {
    lint: (root: string, out: (text: string) => void) => Promise<number>;
  };
  const root = mkdtempSync(join(tmpdir(), 'snag-lint-script-'));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  try {
    write('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler', strict: true } }));
    write('src/core/a.ts', "import * as vscode from 'vscode';\nexport const w = vscode.window;\n");
    write('src/core/format/t.ts', "import type { B } from '../findings/b';\nexport type T = B;\n");
    write('src/core/findings/b.ts', "import type { T } from '../format/t';\nexport type B = T | 1;\n");
    let out = '';
    assert.equal(await lintProject(root, (t) => (out += t)), 1);
    assert.match(out, /no-restricted-imports/, 'ESLint reported');
    assert.match(out, /folder cycle: findings\/, format\//, 'and the folder check ran after it failed');

    write('src/core/a.ts', 'export const w = 1;\n');
    out = '';
    assert.equal(await lintProject(root, (t) => (out += t)), 1, 'the cycle alone fails the run');
    assert.doesNotMatch(out, /no-restricted-imports/);

    write('src/core/findings/b.ts', 'export type B = 1;\n');
    out = '';
    assert.equal(await lintProject(root, (t) => (out += t)), 0, out);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
