// Drives Snag the way users do: the built CLI (`node dist/cli.js`) and, in-process, dumpProcess on
// the local target with the real py-spy.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PySpyBackend } from '../../src/core/backends/pyspy';
import { dumpProcess } from '../../src/core/pipeline/dumpProcess';
import type { DumpOptions, PathMapping, StackDump } from '../../src/core/model';
import { run } from '../../src/core/run';
import { SourceMapper } from '../../src/core/mapping/sourceMap';
import { LocalTarget } from '../../src/core/targets/local';
import { PROGRAMS, REPO } from './programs';

export const CLI = join(REPO, 'dist', 'cli.js');

function newestUnder(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestUnder(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds dist/ when it is missing or older than src/ (scripts/test.sh builds first; this covers a lone run). */
export function ensureBuilt(): void {
  let built = 0;
  try {
    built = statSync(CLI).mtimeMs;
  } catch {
    /* not built yet */
  }
  if (built >= newestUnder(join(REPO, 'src'))) return;
  const r = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: REPO, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`build failed: ${r.stderr}`);
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/cli.js ...args` to completion (any exit code). */
export async function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const r = await run([process.execPath, CLI, ...args], { timeoutMs: 60_000, okExitCodes: [0, 1, 2], cwd: opts.cwd ?? REPO, env: opts.env });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

export interface LocalDumpOptions extends DumpOptions {
  root?: string;
  mappings?: PathMapping[];
}

/** One dump of a local process through Snag's core, mapped to `root` (default: the fixture programs). */
export function dumpLocal(pid: number, pyspy: string, o: LocalDumpOptions = {}): Promise<StackDump> {
  return dumpProcess({
    target: new LocalTarget(),
    pid,
    backend: new PySpyBackend(async () => pyspy),
    mapper: new SourceMapper({ workspaceRoots: [o.root ?? PROGRAMS], mappings: o.mappings }),
    native: o.native,
    locals: o.locals,
    nonblocking: o.nonblocking,
    timeoutMs: 60_000,
  });
}

/** The one-line contract for failures: exactly one line on stderr. */
export function isOneLine(s: string): boolean {
  return s.endsWith('\n') && !s.slice(0, -1).includes('\n');
}
