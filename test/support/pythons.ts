// The pyenv interpreters tests run fixture programs under, and the pure-Python libraries some
// programs import (urllib3, requests, PyMySQL, pg8000), installed by scripts/setup.sh core into
// .cache/pylib/site-packages (a site-packages path, so their frames count as library code).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { REPO } from './programs';

const PYENV = '/root/.pyenv/versions';
export const PYLIB = join(REPO, '.cache', 'pylib', 'site-packages');

/** `{ version: '3.8.18', python: '/…/bin/python3' }` for each installed minor version asked for. */
export function pythons(minors: readonly string[] = ['3.8', '3.9', '3.10', '3.11', '3.12', '3.13']): { version: string; python: string }[] {
  const root = process.env.SNAG_PYENV_VERSIONS ?? (process.env.PYENV_ROOT ? join(process.env.PYENV_ROOT, 'versions') : PYENV);
  const dirs = existsSync(root) ? readdirSync(root) : [];
  const out: { version: string; python: string }[] = [];
  for (const minor of minors) {
    const v = dirs.filter((d) => d === minor || d.startsWith(`${minor}.`)).sort()[0];
    const python = v ? join(root, v, 'bin', 'python3') : undefined;
    if (v && python && existsSync(python)) out.push({ version: v, python });
  }
  return out;
}

/** The interpreters, or: fail in CI when fewer than `atLeast` are installed, skip elsewhere. */
export function requirePythons(t: TestContext, minors?: readonly string[], atLeast = 3): { version: string; python: string }[] {
  const found = pythons(minors);
  if (found.length >= atLeast) return found;
  const msg = `only ${found.length} pyenv Pythons of ${minors?.join(', ') ?? '3.8–3.13'} are installed`;
  if (process.env.CI === 'true') throw new Error(msg);
  t.skip(msg);
  return [];
}

/** The library directory for PYTHONPATH, or: fail in CI, skip elsewhere, when `module` is not installed there. */
export function requirePyLib(t: TestContext, module: string): string | undefined {
  if (existsSync(join(PYLIB, module))) return PYLIB;
  const msg = `${module} is not installed in .cache/pylib (run bash scripts/setup.sh core)`;
  if (process.env.CI === 'true') throw new Error(msg);
  t.skip(msg);
  return undefined;
}
