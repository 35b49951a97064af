// Inputs that must be refused before any tool attaches, with one clear line: an ssh destination that
// hides an option inside a URI or after a user (`ssh://-oProxyCommand=…`, `u@-oProxyCommand=…`), a
// --root that is missing or a file, a core folder that is not a writable folder (`/dev/null`, a
// missing one: gcore would stop the process, write, and lose the core), and a core of a zombie, told
// as a dump tells it. Stand-in tools record it if they are ever started.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkSshHost } from '../../src/core/targets/sshConnection';
import { PYTHON } from '../support/programs';
import { ensureBuilt, isOneLine, runCli } from '../support/snag';
import { requireTool } from '../support/tools';

const dir = mkdtempSync(join(tmpdir(), 'snag-refused-'));
const RAN = join(dir, 'tool-ran');
const BIN = join(dir, 'bin');

function tattletale(name: string): string {
  const path = join(BIN, name);
  writeFileSync(path, `#!/bin/sh\necho "${name} $*" >> "${RAN}"\nexit 1\n`);
  chmodSync(path, 0o755);
  return path;
}
const toolsRan = () => (existsSync(RAN) ? readFileSync(RAN, 'utf8') : '');

let sleeper: ChildProcess;
let TOOLS: string[];
before(async () => {
  ensureBuilt();
  mkdirSync(BIN);
  TOOLS = ['--pyspy', tattletale('py-spy'), '--gdb', tattletale('gdb')];
  tattletale('ssh');
  tattletale('gcore');
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

/** Exit 2, nothing on stdout, one `snag:` line matching `message`, and no tool started (ssh and gcore on PATH are stand-ins). */
async function refused(args: string[], message: RegExp): Promise<void> {
  rmSync(RAN, { force: true });
  const r = await runCli(args, { env: { ...process.env, PATH: `${BIN}:${process.env.PATH}` } });
  assert.equal(r.code, 2, `exit code of snag ${args.join(' ')}: ${r.stderr}`);
  assert.equal(r.stdout, '');
  assert.ok(isOneLine(r.stderr), `one line: ${JSON.stringify(r.stderr)}`);
  assert.match(r.stderr, /^snag: /);
  assert.match(r.stderr, message);
  assert.equal(toolsRan(), '', 'a tool was started');
}

describe('reliability: refused before any tool runs', () => {
  it('an ssh destination hiding an option in a URI or after a user', async () => {
    for (const host of [
      'ssh://-oProxyCommand=touch${IFS}/tmp/x',
      'ssh://user@-oProxyCommand=x',
      'ssh://-user@host:22',
      'u@-oProxyCommand=x',
      '-oProxyCommand=x',
      'ssh://[-x]:22',
      'ssh://',
      'user@',
    ]) {
      await refused(['dump', String(sleeper.pid), `--ssh=${host}`, ...TOOLS], /is not an ssh host name: /);
      await refused(['ps', `--ssh=${host}`], /is not an ssh host name: /);
    }
    // Ordinary destinations pass.
    for (const host of ['prod-1', 'me@prod-1', 'ssh://me@prod-1:2222', 'ssh://[::1]:22', 'ssh://prod-1/', 'a-b.example.com'])
      assert.equal(checkSshHost(host), host);
  });

  it('--root that does not exist or is a file', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    for (const cmd of [
      ['dump', String(sleeper.pid), ...TOOLS],
      ['sample', String(sleeper.pid), ...TOOLS],
      ['tasks', String(sleeper.pid)],
    ]) {
      await refused([...cmd, '--root', join(dir, 'missing')], /--root .*missing: no such folder/);
      await refused([...cmd, '--root', file], /--root .*a-file is a file, not a folder/);
    }
    await refused(['open', file, '--root', join(dir, 'missing')], /--root .*missing: no such folder/);
    await refused(['dump', '--core', file, '--root', file, '--gdb', join(BIN, 'gdb')], /--root .*a-file is a file, not a folder/);
  });

  it('snag core --out that is not a writable folder, before gcore attaches', async () => {
    const gcore = join(BIN, 'gcore');
    const file = join(dir, 'out-file');
    writeFileSync(file, '');
    for (const [out, why] of [
      ['/dev/null', 'it is not a folder'],
      [join(dir, 'nonexistent', 'dir'), 'no such folder'],
      [file, 'it is not a folder'],
      [join(file, 'below'), 'no such folder'],
    ]) {
      await refused(
        ['core', String(sleeper.pid), '--out', out, '--gcore', gcore],
        new RegExp(`Cannot save a core in --out ${out.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: ${why}\\. Give an existing folder`),
      );
    }
  });
});

describe('reliability: a core of a zombie', () => {
  it('is told as a dump tells it, in one sentence', async (t) => {
    const gcore = requireTool(t, 'gcore', 'apt-get install gdb');
    if (!gcore) return;
    const parent = spawn(PYTHON, ['-c', 'import os, time\npid = os.fork()\nif pid == 0: os._exit(0)\nprint(pid, flush=True)\ntime.sleep(120)'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const zombie = Number(await new Promise<string>((res) => parent.stdout!.once('data', (b: Buffer) => res(b.toString().trim()))));
      const r = await runCli(['core', String(zombie), '--out', dir, '--gcore', gcore]);
      assert.equal(r.code, 1, r.stderr);
      const lines = r.stderr.split('\n').filter((l) => l && !/gcore is writing/.test(l));
      assert.equal(lines.length, 1, r.stderr);
      assert.match(
        lines[0],
        new RegExp(`^snag: Process ${zombie} \\(.+\\) is a zombie: it has exited and its parent \\(pid ${parent.pid}\\) has not yet collected its exit status`),
      );
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
