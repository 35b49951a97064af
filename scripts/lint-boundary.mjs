// The vscode boundary, enforced: src/core and src/cli may import vscode for types only.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const bad = [];
function scan(dir) {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) scan(p);
    else if (p.endsWith('.ts')) {
      readFileSync(p, 'utf8').split('\n').forEach((line, i) => {
        const runtimeImport = /^\s*import\s+(?!type\b)[^;]*from\s+['"]vscode['"]/.test(line) || /require\(\s*['"]vscode['"]\s*\)/.test(line) || /import\(\s*['"]vscode['"]\s*\)/.test(line);
        const shell = /shell:\s*true|child_process|\bexecSync\(|execaCommand/.test(line);
        if (runtimeImport) bad.push(`${p}:${i + 1}: imports vscode at run time (only 'import type' is allowed here)`);
        if (shell && !p.endsWith(join('core', 'run.ts'))) bad.push(`${p}:${i + 1}: start programs through src/core/run.ts only`);
      });
    }
  }
}
scan('src/core');
scan('src/cli');
if (bad.length) {
  console.error(bad.join('\n'));
  process.exit(1);
}
