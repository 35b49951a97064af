// The architecture's rules, checked by `npm run lint` (docs/architecture.md explains why each holds).
// Which rules apply is decided by the file's path, so every rule below names the folders it guards.
//   1. Nothing under src/ but src/extension imports `vscode`, not even its types: the CLI runs without
//      VS Code, core's types must not lean on the editor's, src/webview runs in the browser. test/unit
//      (runs without VS Code) is held to the same.
//   2. Programs start only through src/core/run.ts (argv array, timeout, AbortSignal, output cap): nothing
//      else in src/ imports execa (or its subpaths), node:child_process, cross-spawn or node:cluster.
//      Tests, benchmarks and scripts may.
//   3. src/core/targets never imports src/core/backends: targets say where a process is and how to reach
//      it, backends say how stacks are read.
//   4. No import cycles (type-only imports are erased at build time and do not count).
//   5. src/core and src/cli never import src/extension, scripts, test or bench (nor core src/cli or src/webview),
//      by any kind of import: nothing relays the editor's code into the CLI, and no folder cycle of src/core
//      hops out of it and back.
//   6. Nothing in src/ loads a module the rules above cannot see: no import()/require() of a computed name,
//      no createRequire, module.require, process.binding/_linkedBinding/getBuiltinModule.
// Besides these, ESLint's and typescript-eslint's recommended rules (the ones that need no type information,
// so the whole repository lints in seconds).
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
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
  names: ['execa', 'child_process', 'node:child_process', 'cross-spawn', 'cluster', 'node:cluster'],
  message: 'Start programs through src/core/run.ts (argv array, timeout, AbortSignal, output cap).',
};
// Ways to load a module that no import rule can check, because the name is computed or the loader is not
// import/require. `require` passed around as a value counts too (`const r = require; r(name)`); `require.main`
// (is this file the program?) loads nothing.
const loaders = {
  message: 'Load modules with a static import (or import()/require() of a literal name) so the architecture rules can check them.',
  syntax: [
    "ImportExpression[source.type!='Literal']",
    "CallExpression[callee.name='require'][arguments.0.type!='Literal']",
    "Identifier[name='require']:not(CallExpression > Identifier.callee, MemberExpression > Identifier.property, Property > Identifier.key, MemberExpression[property.name='main'] > Identifier.object)",
    "Identifier[name='createRequire']",
    "MemberExpression[object.name='module'][property.name='require']",
    "MemberExpression[object.name='module'][property.value='require']",
    'MemberExpression[property.name=/^(_linkedBinding|getBuiltinModule)$/]',
    'MemberExpression[property.value=/^(binding|_linkedBinding|getBuiltinModule)$/]',
    "MemberExpression[object.name='process'][property.name='binding']",
    "MemberExpression[object.property.name='process'][property.name='binding']",
    'ImportDeclaration[source.value=/^(node:)?process$/] ImportSpecifier[imported.name=/^(binding|_linkedBinding|getBuiltinModule)$/]',
  ],
};
const layersMessage = 'src/core and src/cli stand below the extension and apart from scripts, tests and benchmarks: move the shared piece into src/core.';
const TS = ['**/*.{ts,tsx,mts,cts}'];
const under = (...folders) => folders.map((f) => `${f}/**/*.{ts,tsx,mts,cts}`);

// A module name as a regex that also matches its subpaths (`execa` and `execa/…`).
const nameRegex = (name) => `/^${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(\\/|$)/`;

// One rule set for a list of forbidden modules. Static imports, `export … from`, `import x = require()`
// and type imports go through no-restricted-imports; `import('…')`, `require('…')` and `typeof import('…')`
// are not imports to that rule, so no-restricted-syntax catches them by their AST shape.
function forbid(...groups) {
  const paths = groups.flatMap((g) => (g.names ?? []).map((name) => ({ name, message: g.message })));
  const patterns = groups.flatMap((g) => (g.names ?? []).map((name) => ({ group: [`${name}/*`], message: g.message })));
  const syntax = groups.flatMap((g) => [
    ...(g.names ?? []).flatMap((name) => [
      { selector: `ImportExpression[source.value=${nameRegex(name)}]`, message: g.message },
      { selector: `CallExpression[callee.name='require'][arguments.0.value=${nameRegex(name)}]`, message: g.message },
      { selector: `TSImportType[argument.literal.value=${nameRegex(name)}]`, message: g.message },
    ]),
    ...(g.syntax ?? []).map((selector) => ({ selector, message: g.message })),
  ]);
  return {
    '@typescript-eslint/no-restricted-imports': ['error', { paths, patterns }],
    'no-restricted-syntax': ['error', ...syntax],
  };
}

// Rule 5 as a rule of its own: every way a file names another module (import, export … from, import(),
// require(), `typeof import()`, `import x = require()`) whose relative path lands in a forbidden folder.
// It resolves paths itself, so a type-level or dynamic import is caught like a static one.
const noImportFrom = {
  meta: { type: 'problem', schema: [{ type: 'object', properties: { folders: { type: 'array' }, message: { type: 'string' } } }] },
  create(context) {
    const { folders = [], message = '' } = context.options[0] ?? {};
    const check = (node) => {
      if (!node || node.type !== 'Literal' || typeof node.value !== 'string') return;
      if (!node.value.startsWith('.') && !isAbsolute(node.value)) return;
      const target = resolve(dirname(context.filename), node.value);
      const hit = folders.find((f) => target === f || target.startsWith(f + sep));
      if (hit) context.report({ node, message: `${relative(dirname(context.filename), hit) || hit} is out of reach here. ${message}` });
    };
    return {
      ImportDeclaration: (n) => check(n.source),
      ExportAllDeclaration: (n) => check(n.source),
      ExportNamedDeclaration: (n) => check(n.source),
      ImportExpression: (n) => check(n.source),
      CallExpression: (n) => n.callee.type === 'Identifier' && n.callee.name === 'require' && check(n.arguments[0]),
      TSImportType: (n) => check(n.argument?.literal ?? n.argument),
      TSExternalModuleReference: (n) => check(n.expression),
    };
  },
};

/**
 * The rules for the project at `root`. Paths (the targets→backends zone, the tsconfig the import
 * resolver reads) are anchored there rather than at the shell's working directory, so the same rules
 * lint a copy of the layout elsewhere (test/unit/lint.test.ts plants violations in a temporary folder).
 */
export function snagConfig(root) {
  return defineConfig(
    { ignores: ['dist/**', 'node_modules/**', '.cache/**', 'test/fixtures/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
    { files: TS, extends: [js.configs.recommended, tseslint.configs.recommended] },
    {
      files: TS,
      languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' },
      linterOptions: { reportUnusedDisableDirectives: 'error' },
      plugins: { '@typescript-eslint': tseslint.plugin, 'import-x': importX, snag: { rules: { 'no-import-from': noImportFrom } } },
      settings: {
        'import-x/resolver-next': [createTypeScriptImportResolver({ project: join(root, 'tsconfig.json') })],
        // import-x reads only files with these endings when it follows imports; without them it sees no cycle.
        'import-x/extensions': ['.ts', '.tsx', '.mts', '.cts'],
        'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx', '.mts', '.cts'] },
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
    // Everything under src/ except the extension runs without VS Code (the webview pages run in the browser).
    { files: under('src'), rules: forbid(processes, loaders) },
    { files: under('src'), ignores: under('src/extension'), rules: forbid(vscode, processes, loaders) },
    { files: ['src/core/run.ts'], rules: forbid(vscode, loaders) },
    { files: under('test/unit'), rules: forbid(vscode) },
    {
      files: under('src/core'),
      rules: {
        'snag/no-import-from': [
          'error',
          { folders: ['src/cli', 'src/extension', 'src/webview', 'scripts', 'test', 'bench'].map((f) => join(root, f)), message: layersMessage },
        ],
      },
    },
    {
      files: under('src/cli'),
      rules: {
        'snag/no-import-from': [
          'error',
          { folders: ['src/extension', 'src/webview', 'scripts', 'test', 'bench'].map((f) => join(root, f)), message: layersMessage },
        ],
      },
    },
    {
      files: under('src/core/targets'),
      rules: {
        // `typeof import('../backends/…')` is a type, not an import, to no-restricted-paths.
        ...forbid(vscode, processes, loaders, { syntax: ['TSImportType[argument.literal.value=/(^|\\/)backends(\\/|$)/]'], message: targetsMessage }),
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
