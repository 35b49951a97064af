// A script whose path holds spaces (`python3 "my dir/work job.py"`) is named by its file, not by the
// first word of the joined command line ("my"): on this machine from the real argv (/proc/<pid>/cmdline,
// NUL-separated), from a ps listing (ssh hosts, containers) by joining words up to the `.py` one.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run } from '../../src/core/run';
import { parsePs, PS_ARGV } from '../../src/core/targets/psParse';
import { LocalTarget } from '../../src/core/targets/local';
import { PYTHON } from '../support/programs';
import { ensureBuilt, runCli } from '../support/snag';

const dir = mkdtempSync(join(tmpdir(), 'snag-spaced-'));
const SCRIPT = join(dir, 'my dir', 'work job.py');
let prog: ChildProcess;

before(async () => {
  ensureBuilt();
  mkdirSync(join(dir, 'my dir'));
  writeFileSync(SCRIPT, 'import time\nprint("ready", flush=True)\ntime.sleep(600)\n');
  prog = spawn(PYTHON, ['-u', SCRIPT, '--flag', 'an arg.py'], { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise<void>((res, rej) => {
    prog.stdout!.once('data', () => res());
    prog.once('error', rej);
  });
});
after(() => {
  prog?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('reliability: a script path with spaces', () => {
  it('snag ps (this machine) names it by its file, from the real argv', async () => {
    const r = await runCli(['ps', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const p = (JSON.parse(r.stdout) as { pid: number; name: string }[]).find((x) => x.pid === prog.pid);
    assert.equal(p?.name, 'work job.py');
    const listed = (await new LocalTarget().listProcesses()).find((x) => x.pid === prog.pid);
    assert.equal(listed?.name, 'work job.py');
  });

  it('a ps listing (as from an ssh host or a container) names it by its file too', async () => {
    const { stdout } = await run([...PS_ARGV], { timeoutMs: 30_000 });
    const p = parsePs(stdout).find((x) => x.pid === prog.pid);
    assert.match(p?.command ?? '', /my dir\/work job\.py --flag an arg\.py$/);
    assert.equal(p?.name, 'work job.py');
  });
});
