// Where the tests find their real tools, and what happens when one is missing:
// locally the test is skipped with a reason; in CI (CI=true) it fails.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { TestContext } from 'node:test';
import { REPO } from './programs';

export const TOOL_VENV_BIN = join(REPO, '.cache', 'tools', 'bin');

export function which(tool: string, extraDirs: string[] = [TOOL_VENV_BIN]): string | undefined {
  for (const d of [...extraDirs, ...(process.env.PATH ?? '').split(delimiter)]) {
    const p = join(d, tool);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** The tool's path, or: fail in CI, skip elsewhere (returns undefined, and the test should return). */
export function requireTool(t: TestContext, tool: string, hint = 'bash scripts/setup.sh', extraDirs?: string[]): string | undefined {
  const p = which(tool, extraDirs);
  if (p) return p;
  const msg = `${tool} is not installed (run ${hint})`;
  if (process.env.CI === 'true') throw new Error(msg);
  t.skip(msg);
  return undefined;
}

export const PYSPY = () => which('py-spy');
