// `snag`'s first file: prints the help, or starts the CLI bundle (dist/snag.js) with V8's code cache. Compiling the
// ~1 MB bundle is most of a short command's start-up (measured: 20–70 ms of `snag --help` on a
// 2-core machine, 4–8 ms from the cache); the cache is written after the first run of a build, per
// user, in a private folder, and V8 itself refuses one that does not match the source. Anything
// wrong with the cache (unwritable home, a rejected or broken file) only means a slower start.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { handleStdoutErrors } from './stdoutErrors';

const bundle = join(__dirname, 'snag.js');

/** Where this build's cache lives: the bundle's size and time, Node's version and the machine's arch name it. */
function cacheFile(): string | undefined {
  try {
    const st = statSync(bundle);
    const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
    const key = `${st.size}-${Math.floor(st.mtimeMs)}-${process.version}-${process.arch}`.replace(/[^\w.-]/g, '_');
    return join(base, 'snag', `cli-${key}.v8`);
  } catch {
    return undefined;
  }
}

function readCache(file: string | undefined): Buffer | undefined {
  try {
    return file ? readFileSync(file) : undefined;
  } catch {
    return undefined;
  }
}

/** Written once the command is done, so it holds the functions the run compiled too. */
function writeCacheOnExit(file: string, script: Script): void {
  process.once('exit', () => {
    try {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
      renameSync(tmp, file);
      // Other builds' caches (an upgrade, a rebuild) are of no more use.
      for (const old of readdirSync(dirname(file))) if (/^cli-.*\.v8$/.test(old) && old !== basename(file)) rmSync(join(dirname(file), old), { force: true });
    } catch {
      /* no cache this time */
    }
  });
}

function start(): void {
  const file = cacheFile();
  const cached = readCache(file);
  const source = readFileSync(bundle, 'utf8');
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: bundle,
    ...(cached ? { cachedData: cached } : {}),
  });
  if (file && (!cached || script.cachedDataRejected)) writeCacheOnExit(file, script);
  const mod = new Module(bundle, module);
  mod.filename = bundle;
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  // The bundle asks only for Node's own modules (its imports were checked in its sources): the launcher's require serves it.
  // eslint-disable-next-line no-restricted-syntax
  run.call(mod.exports, mod.exports, require, mod, bundle, dirname(bundle));
  (mod.exports as { runCli(): void }).runCli();
}

/** `snag --help` (and `snag` alone) print the help the build saved from the bundle, without loading it. */
function printedHelp(): boolean {
  const args = process.argv.slice(2);
  if (!(args.length === 0 || (args.length === 1 && ['-h', '--help', 'help'].includes(args[0]!)))) return false;
  let text: string;
  try {
    text = readFileSync(join(__dirname, 'usage.txt'), 'utf8');
  } catch {
    return false;
  }
  handleStdoutErrors();
  process.stdout.write(text);
  process.exitCode = args.length === 0 ? 2 : 0;
  return true;
}

if (!printedHelp()) start();
