// Runs the test suites with node's built-in runner (TypeScript through tsx).
//   node scripts/run-tests.mjs [unit|integration|e2e|all] [--grep PATTERN]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const suite = process.argv[2] ?? 'all';
const grepAt = process.argv.indexOf('--grep');
const grep = grepAt > 0 ? process.argv[grepAt + 1] : undefined;
const suites = suite === 'all' ? ['unit', 'reliability', 'integration', 'e2e'] : [suite];

function find(dir) {
  let out = [];
  let entries = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out = out.concat(find(p));
    else if (/\.test\.ts$/.test(e)) out.push(p);
  }
  return out.sort();
}

const files = suites.flatMap((s) => find(join('test', s))).filter((f) => !grep || f.includes(grep));
if (files.length === 0) {
  console.error(`no test files for ${suite}`);
  process.exit(1);
}
// One file at a time: integration and e2e tests start real processes, servers and browsers on
// a 2-core machine, and parallel files would make their timing noisy.
// --conditions=import: tsx loads the tests as CommonJS, and ESM-only dependencies (execa, used by
// src/core/run.ts, and its own imports) publish only an "import" export; without it they fail to load.
// load-text.mjs: `.py` imports (the gdb program) are their text, as in the esbuild bundle.
const r = spawnSync(
  process.execPath,
  [
    '--conditions=import',
    '--import',
    'tsx',
    '--import',
    new URL('./load-text.mjs', import.meta.url).href,
    '--test',
    '--test-concurrency=1',
    '--test-reporter=spec',
    ...files,
  ],
  {
    stdio: 'inherit',
    env: { ...process.env, RUST_BACKTRACE: '0' },
  },
);
process.exit(r.status ?? 1);
