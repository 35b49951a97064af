// A repository cannot make Snag run a program it names. Its own `.venv/bin/py-spy` (also venv/,
// env/, .env/) is such a program: the CLI never looks in --root's (or the current folder's) venvs,
// only in the active one ($VIRTUAL_ENV); the extension looks in the workspace's venvs only once the
// workspace is trusted, and asks again at every lookup (granting trust takes effect at once). Each
// planted py-spy records that it ran; an honest stand-in on PATH is what must be found instead.
// The fake vscode must answer before any extension module loads: keep this import first.
import { fakeVscode } from '../support/fakeVscode';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findTool } from '../../src/core/tools';
import { LocalTarget } from '../../src/core/targets/local';
import { createBackends } from '../../src/extension/backends';
import type { Settings } from '../../src/extension/settings';
import { PYTHON } from '../support/programs';
import { ensureBuilt, runCli } from '../support/snag';

const dir = mkdtempSync(join(tmpdir(), 'snag-repo-tools-'));
const RAN = join(dir, 'ran');
const REPO = join(dir, 'repo');
const HONEST = join(dir, 'honest-bin');
const VENVS = ['.venv', 'venv', 'env', '.env'];

function tool(path: string, name: string): string {
  writeFileSync(path, `#!/bin/sh\necho "${name}" >> "${RAN}"\necho "${name} py-spy stand-in" >&2\nexit 1\n`);
  chmodSync(path, 0o755);
  return path;
}
/** Which stand-ins ran (each once or more: a read may be retried). */
function ran(): string[] {
  return existsSync(RAN) ? [...new Set(readFileSync(RAN, 'utf8').trim().split('\n'))] : [];
}

let sleeper: ChildProcess;
before(async () => {
  ensureBuilt();
  for (const v of VENVS) {
    mkdirSync(join(REPO, v, 'bin'), { recursive: true });
    tool(join(REPO, v, 'bin', 'py-spy'), `repo ${v}`);
  }
  mkdirSync(HONEST);
  tool(join(HONEST, 'py-spy'), 'honest');
  sleeper = spawn(PYTHON, ['-c', 'import time; print("ready", flush=True); time.sleep(600)'], { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise<void>((res, rej) => {
    sleeper.stdout!.once('data', () => res());
    sleeper.once('error', rej);
  });
});
after(() => {
  sleeper?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** The environment of a user with no py-spy configured: PATH holds only the honest stand-in and the system's folders. */
function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${HONEST}:/usr/bin:/bin`, HOME: dir, ...extra };
  delete env.SNAG_PYSPY;
  if (!('VIRTUAL_ENV' in extra)) delete env.VIRTUAL_ENV;
  return env;
}

describe('reliability: a repository names no program Snag runs', () => {
  it('snag dump/sample with --root at a repository, or run inside it, never start its venvs\u2019 py-spy', async () => {
    for (const [args, cwd] of [
      [['dump', String(sleeper.pid), '--backend', 'py-spy', '--root', REPO], undefined],
      [['dump', String(sleeper.pid), '--backend', 'py-spy'], REPO],
      [['sample', String(sleeper.pid), '--backend', 'py-spy', '--duration', '1'], REPO],
    ] as const) {
      rmSync(RAN, { force: true });
      const r = await runCli([...args], { cwd, env: userEnv() });
      assert.deepEqual(ran(), ['honest'], `snag ${args.join(' ')} (in ${cwd ?? 'the checkout'}) ran: ${ran().join(', ')}; ${r.stderr}`);
    }
  });

  it('the active venv ($VIRTUAL_ENV) is the one a user chose: its py-spy is found', async () => {
    rmSync(RAN, { force: true });
    await runCli(['dump', String(sleeper.pid), '--backend', 'py-spy'], { cwd: REPO, env: userEnv({ VIRTUAL_ENV: join(REPO, '.venv') }) });
    assert.deepEqual(ran(), ['repo .venv']);
  });

  it('a relative PATH entry (".", meaning the repository) is skipped', async () => {
    tool(join(REPO, 'py-spy'), 'repo ./py-spy');
    const cwd = process.cwd();
    process.chdir(REPO);
    try {
      const found = await findTool('py-spy', { env: { PATH: `.:${HONEST}` } });
      assert.equal(found, join(HONEST, 'py-spy'));
    } finally {
      process.chdir(cwd);
      rmSync(join(REPO, 'py-spy'));
    }
  });

  it('the extension: an untrusted workspace\u2019s venvs are not searched; once trusted they are, at the next lookup', async () => {
    const saved = { path: process.env.PATH, venv: process.env.VIRTUAL_ENV };
    process.env.PATH = `${HONEST}:/usr/bin:/bin`;
    delete process.env.VIRTUAL_ENV;
    fakeVscode.workspace.workspaceFolders = [{ uri: { scheme: 'file', fsPath: REPO } }];
    try {
      const { pyspy } = createBackends({ pyspyPath: undefined } as Settings);
      fakeVscode.workspace.isTrusted = false;
      assert.equal(await pyspy.locate(new LocalTarget()), join(HONEST, 'py-spy'), 'untrusted: the repository’s .venv/bin/py-spy was chosen');
      // Trust granted while the backend lives (a dump or sampling session already set up).
      fakeVscode.workspace.isTrusted = true;
      assert.equal(await pyspy.locate(new LocalTarget()), join(REPO, '.venv', 'bin', 'py-spy'));
    } finally {
      process.env.PATH = saved.path;
      if (saved.venv !== undefined) process.env.VIRTUAL_ENV = saved.venv;
      fakeVscode.workspace.workspaceFolders = undefined;
      fakeVscode.workspace.isTrusted = true;
    }
  });
});
