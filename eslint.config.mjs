// The architecture's rules, checked by `npm run lint` (docs/architecture.md explains why each holds).
// Which rules apply is decided by the file's path, so every rule below names the folders it guards.
//   1. src/core and src/cli never import `vscode`, not even its types: the CLI runs without VS Code,
//      and core's types must not lean on the editor's. test/unit (runs without VS Code) and src/webview
//      (runs in the browser) are held to the same.
//   2. Programs start only through src/core/run.ts (argv array, timeout, AbortSignal, output cap):
//      nothing else in src/ imports execa or node:child_process. Tests, benchmarks and scripts may.
//   3. src/core/targets never imports src/core/backends: targets say where a process is and how to reach
//      it, backends say how stacks are read.
//   4. No import cycles (type-only imports are erased at build time and do not count).
// Besides these, ESLint's and typescript-eslint's recommended rules (the ones that need no type information,
// so the whole repository lints in seconds).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'eslint/config';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const vscode = {
  names: ['vscode'],
  message: 'src/core, src/cli, src/webview and test/unit run without VS Code: keep vscode (types too) in src/extension.',
};
const targetsMessage = 'Targets say where a process is and how to reach it; backends say how stacks are read. Move the shared piece out of backends.';
const processes = {
  names: ['execa', 'child_process', 'node:child_process'],
  message: 'Start programs through src/core/run.ts (argv array, timeout, AbortSignal, output cap).',
};

// One rule set for a list of forbidden modules. Static imports, `export … from`, `import x = require()`
// and type imports go through no-restricted-imports; `import('…')`, `require('…')` and `typeof import('…')`
// are not imports to that rule, so no-restricted-syntax catches them by their AST shape.
function forbid(...groups) {
  const paths = groups.flatMap((g) => (g.names ?? []).map((name) => ({ name, message: g.message })));
  const patterns = groups.flatMap((g) => (g.names ?? []).map((name) => ({ group: [`${name}/*`], message: g.message })));
  const syntax = groups.flatMap((g) => [
    ...(g.names ?? []).flatMap((name) => [
      { selector: `ImportExpression[source.value='${name}']`, message: g.message },
      { selector: `CallExpression[callee.name='require'][arguments.0.value='${name}']`, message: g.message },
      { selector: `TSImportType[argument.literal.value='${name}']`, message: g.message },
    ]),
    ...(g.syntax ?? []).map((selector) => ({ selector, message: g.message })),
  ]);
  return {
    '@typescript-eslint/no-restricted-imports': ['error', { paths, patterns }],
    'no-restricted-syntax': ['error', ...syntax],
  };
}

/**
 * The rules for the project at `root`. Paths (the targets→backends zone, the tsconfig the import
 * resolver reads) are anchored there rather than at the shell's working directory, so the same rules
 * lint a copy of the layout elsewhere (test/unit/lint.test.ts plants violations in a temporary folder).
 */
export function snagConfig(root) {
  return defineConfig(
    { ignores: ['dist/**', 'node_modules/**', '.cache/**', 'test/fixtures/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
    { files: ['**/*.ts'], extends: [js.configs.recommended, tseslint.configs.recommended] },
    {
      files: ['**/*.ts'],
      languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' },
      linterOptions: { reportUnusedDisableDirectives: 'error' },
      plugins: { '@typescript-eslint': tseslint.plugin, 'import-x': importX },
      settings: {
        'import-x/resolver-next': [createTypeScriptImportResolver({ project: join(root, 'tsconfig.json') })],
        // import-x reads only files with these endings when it follows imports; without .ts it sees no cycle.
        'import-x/extensions': ['.ts'],
        'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      },
      rules: {
        'import-x/no-cycle': 'error',
        // tsc's noUnusedLocals already reports unused names; a leading _ marks one left on purpose.
        '@typescript-eslint/no-unused-vars': [
          'error',
          { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
        ],
      },
    },
    // Rule sets replace each other for a file rather than merge, so each folder gets its full list once.
    // The webview pages run in the browser: neither the vscode module nor processes exist there.
    { files: ['src/**/*.ts'], rules: forbid(processes) },
    { files: ['src/core/**/*.ts', 'src/cli/**/*.ts', 'src/webview/**/*.ts'], rules: forbid(vscode, processes) },
    { files: ['src/core/run.ts'], rules: forbid(vscode) },
    { files: ['src/extension/**/*.ts'], rules: forbid(processes) },
    { files: ['test/unit/**/*.ts'], rules: forbid(vscode) },
    {
      files: ['src/core/targets/**/*.ts'],
      rules: {
        // `typeof import('../backends/…')` is a type, not an import, to no-restricted-paths.
        ...forbid(vscode, processes, { syntax: ['TSImportType[argument.literal.value=/(^|\\/)backends(\\/|$)/]'], message: targetsMessage }),
        'import-x/no-restricted-paths': [
          'error',
          {
            basePath: root,
            zones: [
              {
                target: './src/core/targets',
                from: './src/core/backends',
                message: targetsMessage,
              },
            ],
          },
        ],
      },
    },
  );
}

export default snagConfig(dirname(fileURLToPath(import.meta.url)));
