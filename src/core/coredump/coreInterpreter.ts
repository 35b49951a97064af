// Which interpreter gdb reads a core with. A core and its `<core>.json` from elsewhere are untrusted
// input: the path either names is only used when it is an ELF executable on this machine that looks
// like Python and agrees with what the core itself mapped (its NT_FILE note: the executable and any
// libpython); --python is the user's own choice, checked the same way and refused on a mismatch.
// Only an interpreter the user named may bring the gdb extension script kept beside it (loading a
// script runs its code); one named by the core or its sidecar reads Python frames with Snag's own
// reader, or with an extension from gdb's system folders.
import { open, realpath, stat } from 'node:fs/promises';
import { basename, isAbsolute } from 'node:path';
import { SnagError } from '../errors';
import type { CoreFacts } from './coreNotes';

export type InterpreterSource = 'option' | 'sidecar' | 'core';

export interface CoreInterpreter {
  path: string;
  from: InterpreterSource;
  /** May gdb load the extension script beside it (python3.X-gdb.py)? Only for --python. */
  trustScriptsBeside: boolean;
  /** What was checked or set aside, for the dump's notes. */
  notes: string[];
}

const SCAN_BYTES = 4 * 1024 * 1024;
const FROM: Record<InterpreterSource, string> = {
  option: '--python',
  sidecar: "the core's .json file",
  core: 'the core (its lowest mapping)',
};

/** The Python version a file name says (`python3.8`, `libpython3.11.so.1.0`), if any. */
export function versionInName(path: string): string | undefined {
  return /^(?:lib)?python(\d+\.\d+)/.exec(basename(path))?.[1];
}

/** The Python version the core mapped: its libpython, else its executable's name. */
export function coreMappedVersion(facts: Pick<CoreFacts, 'files' | 'executable'>): { version: string; file: string } | undefined {
  const lib = facts.files.find((f) => /^libpython\d+\.\d+/.test(basename(f)));
  for (const file of [lib, facts.executable]) {
    const version = file ? versionInName(file) : undefined;
    if (file && version) return { version, file };
  }
  return undefined;
}

/** Why a file cannot be the interpreter (undefined when it is an ELF executable), and its version. */
async function inspect(path: string): Promise<{ why?: string; version?: string; real?: string }> {
  const st = await stat(path).catch(() => undefined);
  if (!st) return { why: 'it is not on this machine' };
  if (st.isDirectory()) return { why: 'it is a folder, not the interpreter' };
  if (!st.isFile()) return { why: 'it is not a regular file' };
  const fh = await open(path, 'r').catch(() => undefined);
  if (!fh) return { why: 'it cannot be read' };
  try {
    const buf = Buffer.alloc(Math.min(st.size, SCAN_BYTES));
    await fh.read(buf, 0, buf.length, 0);
    if (buf.length < 64 || buf.readUInt32BE(0) !== 0x7f454c46) return { why: 'it is not an ELF executable' };
    const type = buf.readUInt16LE(16);
    if (type !== 2 && type !== 3) return { why: `it is an ELF file but not an executable (ELF type ${type})` };
    const real = await realpath(path).catch(() => path);
    const version = versionInName(real) ?? versionInName(path) ?? /libpython(\d+\.\d+)/.exec(buf.toString('latin1'))?.[1];
    return { version, real };
  } finally {
    await fh.close();
  }
}

const looksLikePython = (path: string, real: string | undefined) => [path, real ?? path].some((p) => /^python\d*(\.\d+)?[a-z]*$/.test(basename(p)));

export async function chooseCoreInterpreter(core: string, facts: CoreFacts, option?: string, sidecar?: unknown): Promise<CoreInterpreter> {
  const mapped = coreMappedVersion(facts);
  const notes: string[] = [];
  const mismatch = (path: string, version: string | undefined) =>
    mapped && version && version !== mapped.version ? `the core mapped ${mapped.file} (Python ${mapped.version}) and ${path} is Python ${version}` : undefined;

  if (option !== undefined) {
    const seen = await inspect(option);
    if (seen.why) throw new SnagError('bad-input', `--python ${option} cannot read the core: ${seen.why}. Pass the interpreter binary the core's process ran.`);
    const wrong = mismatch(option, seen.version);
    if (wrong)
      throw new SnagError('bad-input', `--python does not match the core ${basename(core)}: ${wrong}. Pass --python with the interpreter the core ran.`);
    if (facts.executable && seen.real !== facts.executable && (await realpath(facts.executable).catch(() => undefined)) !== seen.real)
      notes.push(`The core mapped ${facts.executable}; it is read with ${option} (--python).`);
    return { path: option, from: 'option', trustScriptsBeside: true, notes };
  }

  for (const [from, path] of [
    ['sidecar', sidecar],
    ['core', facts.executable],
  ] as const) {
    if (path === undefined) continue;
    const set = (why: string) => notes.push(`The interpreter named by ${FROM[from]} was not used: ${why}.`);
    if (typeof path !== 'string' || !isAbsolute(path)) {
      set(`${JSON.stringify(path)} is not an absolute path`);
      continue;
    }
    const seen = await inspect(path);
    if (seen.why) {
      set(`${path}: ${seen.why}`);
      continue;
    }
    if (!looksLikePython(path, seen.real)) {
      set(`${path} is not named like a Python interpreter`);
      continue;
    }
    const wrong = mismatch(path, seen.version);
    if (wrong) {
      set(wrong);
      continue;
    }
    return { path, from, trustScriptsBeside: false, notes };
  }
  const why = notes.length ? ` ${notes.join(' ')}` : '';
  throw new SnagError(
    'bad-input',
    `The core file ${basename(core)} does not name an interpreter on this machine that Snag can use:${why || ' it names no program.'} Pass --python PATH with the same interpreter build (gdb reads its code and debug info from it).`,
  );
}

/** The note saying which interpreter read the core, and why. */
export function interpreterNote(i: CoreInterpreter): string {
  return `Interpreter: ${i.path} (from ${FROM[i.from]})${
    i.trustScriptsBeside ? '' : '; gdb extension scripts beside it are not loaded, since the core named it (pass --python to trust it)'
  }.`;
}
