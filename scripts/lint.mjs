// `npm run lint`: ESLint over the repository, then the folder-cycle check over src/core. Both run even
// when the first fails, so one run reports every broken rule; the exit code is 1 if either failed.
//   node scripts/lint.mjs [ROOT]   ROOT defaults to the project; another ROOT is linted with the project's rules
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { snagConfig } from '../eslint.config.mjs';
import { folderCycles } from './folder-cycles.mjs';

export async function lint(root, out = (text) => process.stdout.write(text)) {
  let failed = false;
  try {
    const eslint = new ESLint({ cwd: root, overrideConfigFile: true, overrideConfig: snagConfig(root) });
    const results = await eslint.lintFiles(['.']);
    const text = await (await eslint.loadFormatter('stylish')).format(results);
    if (text) out(text);
    failed = results.some((r) => r.errorCount > 0 || r.fatalErrorCount > 0);
  } catch (err) {
    out(`eslint: ${err instanceof Error ? err.message : String(err)}\n`);
    failed = true;
  }
  const cycles = folderCycles(join(root, 'src', 'core'));
  for (const c of cycles) out(`folder cycle: ${c.folders.join(', ')}\n  ${c.imports.join('\n  ')}\n`);
  return failed || cycles.length > 0 ? 1 : 0;
}

if (resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) {
  process.exitCode = await lint(resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..')));
}
