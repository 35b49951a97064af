// What a core cannot say about its process, read where the core is taken (the site's /proc): the
// command line, working folder, executable, the names of its environment variables (never their
// values: they may hold secrets, and the names are read on the far side), its task count, and the
// machine's name and kernel. This machine's /proc is read directly; elsewhere one sh round trip.
import { randomBytes } from 'node:crypto';
import { readFile, readlink, readdir } from 'node:fs/promises';
import { hostname, release } from 'node:os';
import { SnagError } from '../errors';
import { RunError } from '../run';
import type { CoreSite } from '../targets/coreSite';

export interface CoreProcess {
  cmdline: string[];
  cwd?: string;
  exe?: string;
  environmentNames?: string[];
  tasks: number;
  host: { hostname: string; kernel: string };
}

const gone = (pid: number, where: string) =>
  new SnagError('process-gone', `Process ${pid} is not running on ${where} (or not visible to Snag): there is nothing to take a core of.`, [
    'refresh-processes',
  ]);

const names = (environ: string): string[] =>
  environ
    .split('\0')
    .map((e) => e.slice(0, Math.max(0, e.indexOf('='))))
    .filter(Boolean);

async function readHere(pid: number, where: string): Promise<CoreProcess> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`).then(
    (b) => b.toString('utf8').split('\0').slice(0, -1),
    () => undefined,
  );
  if (!cmdline) throw gone(pid, where);
  const [cwd, exe, environmentNames, tasks] = await Promise.all([
    readlink(`/proc/${pid}/cwd`).catch(() => undefined),
    readlink(`/proc/${pid}/exe`).catch(() => undefined),
    readFile(`/proc/${pid}/environ`, 'utf8').then(names, () => undefined),
    readdir(`/proc/${pid}/task`).then(
      (t) => t.length,
      () => 0,
    ),
  ]);
  return { cmdline, cwd, exe, environmentNames, tasks, host: { hostname: hostname(), kernel: release() } };
}

// $1 the pid, $2 the section marker. Environment values stay on the far side: newlines inside them
// become spaces, each variable one line, cut at its '='. The command line comes last, as it is.
const FACTS_SCRIPT = [
  'p=/proc/$1',
  '[ -r "$p/cmdline" ] || exit 3',
  'm=$2',
  'readlink "$p/cwd"; echo "$m"',
  'readlink "$p/exe"; echo "$m"',
  'ls "$p/task" | wc -l; echo "$m"',
  'uname -n; uname -r; echo "$m"',
  `tr '\\n\\0' ' \\n' < "$p/environ" 2>/dev/null | cut -d= -f1; echo "$m"`,
  'cat "$p/cmdline"',
].join('\n');

async function readThere(site: CoreSite, signal?: AbortSignal): Promise<CoreProcess> {
  const marker = `=snag-${randomBytes(6).toString('hex')}=`;
  const out = await site.runner
    .run(['sh', '-c', FACTS_SCRIPT, 'sh', String(site.pid), marker], { timeoutMs: 30_000, signal, maxBytes: 8 * 1024 * 1024 })
    .catch((err: unknown) => {
      if (RunError.is(err, 'exit') && err.result.exitCode === 3) throw gone(site.pid, site.where);
      throw err;
    });
  const parts = out.stdout.split(`${marker}\n`);
  if (parts.length < 6) throw new SnagError('tool-failed', `Could not read the facts of process ${site.pid} on ${site.where}.`, ['show-log']);
  const line = (i: number) => parts[i]!.replace(/\n$/, '') || undefined;
  const [hostName, kernel] = (parts[3] ?? '').split('\n');
  const cmdline = parts.slice(5).join(`${marker}\n`).split('\0').slice(0, -1);
  return {
    cmdline,
    cwd: line(0),
    exe: line(1),
    tasks: Number(parts[2]!.trim()) || 0,
    host: { hostname: hostName ?? '', kernel: kernel ?? '' },
    environmentNames: parts[4]!.split('\n').filter(Boolean),
  };
}

/** The process's facts at the site its core is taken at. */
export function readCoreProcess(site: CoreSite, signal?: AbortSignal): Promise<CoreProcess> {
  return site.here ? readHere(site.pid, site.where) : readThere(site, signal);
}
