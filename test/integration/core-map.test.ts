// Source mapping of a real dump: a process running from a "deployed" copy of the code, mapped back
// to the workspace with a --map rule or by path suffix.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hangLine, PROGRAMS, PYTHON } from '../support/programs';
import { ensureBuilt, runCli } from '../support/snag';
import { requireTool } from '../support/tools';

const HANG = hangLine('socket_recv.py', 'recv');

describe('core: mapping a deployed copy back to the workspace', () => {
  const deploy = mkdtempSync(join(tmpdir(), 'snag-deploy-'));
  const deployed = join(deploy, 'srv', 'programs', 'socket_recv.py');
  let child: ChildProcess;
  before(async () => {
    ensureBuilt();
    mkdirSync(join(deploy, 'srv', 'programs'), { recursive: true });
    copyFileSync(join(PROGRAMS, 'socket_recv.py'), deployed);
    child = spawn(PYTHON, ['-u', deployed], { stdio: ['ignore', 'pipe', 'ignore'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`exited ${code}`)));
    });
  });
  after(() => {
    child?.kill('SIGKILL');
    rmSync(deploy, { recursive: true, force: true });
  });

  const fetchFrame = (stdout: string) => {
    const d = JSON.parse(stdout);
    return d.threads.find((t: { name: string }) => t.name === 'MainThread').frames[0];
  };

  it('--map REMOTE=LOCAL wins over the deployed path that exists here', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    const r = await runCli(['dump', String(child.pid), '--json', '--pyspy', pyspy, '--map', `${join(deploy, 'srv', 'programs')}=${PROGRAMS}`]);
    assert.equal(r.code, 0, r.stderr);
    const f = fetchFrame(r.stdout);
    assert.equal(f.file, deployed, 'the path as the process sees it');
    assert.equal(f.line, HANG);
    assert.equal(f.localFile, join(PROGRAMS, 'socket_recv.py'));
    assert.equal(f.isUserCode, true);
    assert.deepEqual(f.mapping, { method: 'rule', reason: `path mapping ${join(deploy, 'srv', 'programs')} → ${PROGRAMS}` });
  });

  it('without a rule, once the deployed copy is gone, the workspace file is found by path suffix', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    rmSync(deployed);
    const r = await runCli(['dump', String(child.pid), '--json', '--pyspy', pyspy, '--root', PROGRAMS]);
    assert.equal(r.code, 0, r.stderr);
    const f = fetchFrame(r.stdout);
    assert.equal(f.localFile, join(PROGRAMS, 'socket_recv.py'));
    assert.deepEqual(f.mapping, { method: 'suffix', reason: 'matched …/programs/socket_recv.py in the workspace' });
  });
});
