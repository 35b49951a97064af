// `npm run bench [-- NAME...]`: runs every bench/*.bench.ts (or those named), one at a time, each
// in its own node process. Each module measures against the raw tool and writes its own key of
// bench/results.json.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const wanted = process.argv.slice(2);
const modules = readdirSync(__dirname)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.bench\.ts$/, '')))
  .sort();
if (modules.length === 0) {
  console.error(`no bench modules${wanted.length ? ` named ${wanted.join(', ')}` : ''} in bench/`);
  process.exit(1);
}
let failed = 0;
for (const m of modules) {
  console.log(`== bench ${m}`);
  // load-text.mjs: the gdb program (a .py file) is imported as its text, as in the bundle.
  const loadText = pathToFileURL(join(__dirname, '..', 'scripts', 'load-text.mjs')).href;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', loadText, join(__dirname, m)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
