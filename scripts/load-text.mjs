// Loads `.py` files imported by the TypeScript sources as their text, as esbuild does for the bundle
// (loader '.py': 'text' in esbuild.mjs): `import GDB_PROGRAM from './snag_gdb.py'` is the file's content.
// Wherever TypeScript runs unbundled through tsx, register it beside tsx:
//   node --conditions=import --import tsx --import ./scripts/load-text.mjs --test test/unit/foo.test.ts
// (scripts/run-tests.mjs does). Without it Node reads the Python as JavaScript and fails on its first line.
import Module, { register } from 'node:module';
import { readFileSync } from 'node:fs';

// tsx runs this project's TypeScript as CommonJS, whose require() looks the loader up by extension.
Module._extensions['.py'] = (module, filename) => {
  module.exports = readFileSync(filename, 'utf8');
};
// ES modules (an .mts file, or a future "type": "module") go through a load hook instead.
register(new URL('./load-text-hooks.mjs', import.meta.url));
