// A test run must leave the checkout as it found it: no tracked file changed, no new file outside
// the git-ignored folders (test output goes to test-results/, tools to .cache/, builds to dist/).
//   node scripts/clean-check.mjs snapshot STATE   before the run: what `git status` shows now
//   node scripts/clean-check.mjs verify STATE     after it: fails, naming the files, if the run changed any
// Files already changed or added before the run (a developer's work in progress) count only when
// the run changed their content again, so the check also holds outside a fresh clone. Outside a git
// checkout (a source tarball, git not installed) there is nothing to compare and both do nothing.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [mode, stateFile] = process.argv.slice(2);
if (!['snapshot', 'verify'].includes(mode) || !stateFile) {
  console.error('usage: node scripts/clean-check.mjs snapshot|verify STATE_FILE');
  process.exit(2);
}

function git(args) {
  return execFileSync('git', args, { cwd: repo, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
}

/** This folder is the top of a git work tree (not a folder inside some other repository). */
function isCheckout() {
  try {
    return resolve(git(['rev-parse', '--show-toplevel']).trim()) === repo;
  } catch {
    return false;
  }
}

function contentHash(path) {
  const full = join(repo, path);
  if (!existsSync(full)) return 'deleted';
  const st = lstatSync(full);
  if (st.isSymbolicLink()) return `link:${readlinkSync(full)}`;
  if (!st.isFile()) return 'not-a-file';
  return createHash('sha256').update(readFileSync(full)).digest('hex');
}

/** Every path `git status` reports (changed, deleted, new and not ignored) → its status and content hash. */
function snapshot() {
  const fields = git(['status', '--porcelain=v1', '-z', '--untracked-files=all']).split('\0');
  const out = {};
  for (let i = 0; i < fields.length; i++) {
    const entry = fields[i];
    if (!entry) continue;
    const status = entry.slice(0, 2);
    const path = entry.slice(3);
    if (status[0] === 'R' || status[0] === 'C') i++; // the next field is the rename's source
    out[path] = `${status} ${contentHash(path)}`;
  }
  return out;
}

if (!isCheckout()) process.exit(0);
if (mode === 'snapshot') {
  writeFileSync(stateFile, JSON.stringify(snapshot()));
  process.exit(0);
}
const before = existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, 'utf8')) : {};
const after = snapshot();
const changed = Object.keys(after)
  .filter((p) => after[p] !== before[p])
  .concat(Object.keys(before).filter((p) => !(p in after) && contentHash(p) !== before[p].slice(3)))
  .sort();
if (changed.length) {
  console.error(
    `The test run changed files git tracks or would add (write test output under test-results/):\n${changed.map((p) => `  ${after[p]?.slice(0, 2) ?? '  '} ${p}`).join('\n')}`,
  );
  process.exit(1);
}
console.log('The test run left the checkout as it found it.');
