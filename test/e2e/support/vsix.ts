// The .vsix the end-to-end tests install: what `npm run package` builds for users. Rebuilt only
// when something that goes into it is newer, so a local re-run does not pay for packaging again.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../../src/core/run';
import { REPO } from '../../support/programs';

/** Files and folders whose change means the package is out of date. */
const INPUTS = ['src', 'media', 'package.json', 'package.nls.json', '.vscodeignore', 'esbuild.mjs', 'README.md', 'CHANGELOG.md'];

export function vsixPath(): string {
  const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
  return join(REPO, `snag-${version}.vsix`);
}

function newestMtime(path: string): number {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(path).reduce((m, e) => Math.max(m, newestMtime(join(path, e))), st.mtimeMs);
}

/** Path of an up-to-date snag-<version>.vsix, packaging it first when needed. */
export async function ensureVsix(): Promise<string> {
  const vsix = vsixPath();
  const built = newestMtime(vsix);
  if (built > 0 && INPUTS.every((i) => newestMtime(join(REPO, i)) <= built)) return vsix;
  await run(['npm', 'run', '--silent', 'package'], { cwd: REPO, timeoutMs: 300_000 });
  if (newestMtime(vsix) === 0) throw new Error(`npm run package did not produce ${vsix}`);
  return vsix;
}
