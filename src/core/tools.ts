// Finds the programs Snag drives (py-spy, gdb) on this machine: a configured path first, then the
// virtual environments of folders the user trusts (never a repository's own merely because it is
// open: its `.venv/bin/py-spy` is a program the repository names), the active venv ($VIRTUAL_ENV),
// then PATH and the usual user install folders.
import { access, constants, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { SnagError } from './errors';

export interface ToolSearch {
  /** A path the user configured (snag.pyspyPath); wins when it exists. */
  configured?: string;
  /**
   * Folders whose own venvs (.venv, venv, env, .env) are searched first. Only folders the user
   * trusts: the extension passes its workspace folders only in a trusted workspace, the CLI none
   * (there a venv counts when it is the active one, $VIRTUAL_ENV).
   */
  trustedVenvRoots?: readonly string[];
  /** Extra folders searched before PATH (e.g. the project's own tool venv in tests). */
  extraDirs?: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** How the user points Snag at the tool, for messages (default: the extension's setting). */
  configureHint?: string;
  /** Where `configured` came from, for messages (default: the extension's setting, snag.pyspyPath). */
  configuredBy?: string;
}

const SETTING: Record<string, string> = { 'py-spy': 'snag.pyspyPath', gdb: 'snag.gdbPath' };

const VENV_DIRS = ['.venv', 'venv', 'env', '.env'];

/** A program Snag can start: an executable regular file (a directory passes access(X_OK) too). */
async function isExecutable(p: string): Promise<boolean> {
  return (await whyNotExecutable(p)) === undefined;
}

/** Why `p` cannot be started as a program, or undefined when it can. */
async function whyNotExecutable(p: string): Promise<string | undefined> {
  let st;
  try {
    st = await stat(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'does not exist' : `cannot be read (${code ?? 'error'})`;
  }
  if (st.isDirectory()) return 'is a directory, not a program';
  if (!st.isFile()) return 'is not a regular file';
  try {
    await access(p, constants.X_OK);
    return undefined;
  } catch {
    return 'is not executable (chmod +x it)';
  }
}

/** Every place looked at, in order (also shown to the user when nothing is found). */
export function candidatePaths(tool: string, s: ToolSearch): string[] {
  const env = s.env ?? process.env;
  const out: string[] = [];
  for (const root of s.trustedVenvRoots ?? []) for (const v of VENV_DIRS) out.push(join(root, v, 'bin', tool));
  for (const d of s.extraDirs ?? []) out.push(join(d, tool));
  if (env.VIRTUAL_ENV) out.push(join(env.VIRTUAL_ENV, 'bin', tool));
  // A relative PATH entry ("." or "bin") means the current folder: for the CLI, the repository.
  for (const d of (env.PATH ?? '').split(delimiter)) if (d && isAbsolute(d)) out.push(join(d, tool));
  out.push(join(homedir(), '.local', 'bin', tool), join('/usr/local/bin', tool), join('/usr/bin', tool));
  return [...new Set(out)];
}

export async function findTool(tool: string, s: ToolSearch = {}): Promise<string> {
  if (s.configured) {
    const why = await whyNotExecutable(s.configured);
    if (why === undefined) return s.configured;
    const by = s.configuredBy ?? SETTING[tool] ?? 'the setting';
    throw new SnagError(
      'tool-not-found',
      `The configured ${tool} path ${s.configured} ${why}. Point ${by} at the ${tool} program, or leave it unset to search PATH.`,
      [tool === 'py-spy' ? 'configure-pyspy-path' : 'show-log'],
    );
  }
  for (const p of candidatePaths(tool, s)) if (await isExecutable(p)) return p;
  const configure = s.configureHint ?? `set ${SETTING[tool] ?? 'its path'}`;
  if (tool === 'py-spy')
    throw new SnagError(
      'tool-not-found',
      `py-spy was not found (looked in ${s.trustedVenvRoots?.length ? 'the workspace venvs, ' : ''}${(s.env ?? process.env).VIRTUAL_ENV ? 'the active venv, ' : ''}PATH and ~/.local/bin). Install it with pip install py-spy, or ${configure}.`,
      ['install-pyspy', 'configure-pyspy-path'],
    );
  if (tool === 'gdb')
    throw new SnagError('tool-not-found', `gdb was not found on PATH. Install it (e.g. apt-get install gdb) or ${configure}.`, ['install-gdb']);
  throw new SnagError('tool-not-found', `${tool} was not found on PATH.`);
}
