// `npm run bench [-- NAME...]`: runs every bench/*.bench.ts (or those named), one at a time, each
// in its own node process. Each module measures against the raw tool and writes its own key of
// bench/results.json.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

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
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, m)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
