// Files the CLI writes (`sample --speedscope FILE`): checked before the work that fills them, so a
// typo in a path costs a second, not a sampling session; a write that still fails says so in one line.
import { constants } from 'node:fs';
import { access, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { errorMessage, SnagError } from '../core/errors';

async function statOf(path: string) {
  return stat(path).catch(() => undefined);
}

/** Refuses (bad-input) a path the CLI could not write: its folder missing, a folder itself, or read-only. */
export async function checkWritable(flag: string, file: string): Promise<void> {
  const path = resolve(file);
  const refuse = (why: string) =>
    new SnagError('bad-input', `${flag} ${file}: ${why}, so the profile cannot be written there. Give a file in an existing folder (nothing was sampled).`);
  const st = await statOf(path);
  if (st?.isDirectory()) throw refuse('that is a folder, not a file');
  if (st) {
    if (!st.isFile()) throw refuse('that is not a regular file');
    if (
      !(await access(path, constants.W_OK).then(
        () => true,
        () => false,
      ))
    )
      throw refuse('that file is not writable');
    return;
  }
  const dir = dirname(path);
  const parent = await statOf(dir);
  if (!parent) throw refuse(`the folder ${dir} does not exist`);
  if (!parent.isDirectory()) throw refuse(`${dir} is not a folder`);
  if (
    !(await access(dir, constants.W_OK | constants.X_OK).then(
      () => true,
      () => false,
    ))
  )
    throw refuse(`the folder ${dir} is not writable`);
}

/** Writes the file; a failure is one sentence naming the flag and the path (not a raw "ENOENT: …, open …"). */
export async function writeOutput(flag: string, file: string, text: string): Promise<void> {
  try {
    await writeFile(file, text);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'its folder no longer exists' : code === 'EACCES' ? 'permission denied' : code === 'ENOSPC' ? 'the disk is full' : errorMessage(err);
    throw new SnagError('tool-failed', `Could not write ${flag} ${file}: ${why}.`, [], { cause: err });
  }
}
