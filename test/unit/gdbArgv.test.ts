import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { gdbDumpArgv, reapingRemotely } from '../../src/core/backends/gdb';
import { run } from '../../src/core/run';
import { GDB_SCRIPT } from '../../src/core/backends/gdbScript';
import { requireTool } from '../support/tools';

describe('gdbDumpArgv', () => {
  const argv = gdbDumpArgv('/usr/bin/gdb', { pid: 4242, locals: true, reader: 'frame-objects' });

  it('runs gdb in batch mode without init files, debuginfod or auto-loaded scripts', () => {
    assert.deepEqual(argv.slice(0, 4), ['/usr/bin/gdb', '-nx', '-q', '-batch']);
    const iex = argv.flatMap((a, i) => (argv[i - 1] === '-iex' ? [a] : []));
    assert.deepEqual(iex, ['set debuginfod enabled off', 'set auto-load python-scripts off', 'set pagination off', 'set confirm off']);
    assert.equal(argv.at(-2), '-ex');
    assert.match(argv.at(-1)!, /^python import base64, json, zlib; exec\(/);
    assert.ok(!argv.at(-1)!.includes('\n'), 'one gdb command line');
  });

  it('carries the script and its arguments, which Python unpacks as they were', async (t) => {
    const python = requireTool(t, 'python3');
    if (!python) return;
    // Run the same statement gdb runs, minus gdb: decode, then check syntax down to Python 3.6.
    const stmt = argv.at(-1)!.replace(/^python /, '').replace(/exec\(compile\((.*), 'snag-gdb\.py', 'exec'\), (\{.*\})\)$/, 'src = $1; ns = $2');
    const probe = `${stmt}\nimport ast, sys\nast.parse(src, feature_version=(3, 6))\nsys.stdout.write(json.dumps({'len': len(src), 'args': ns['SNAG_ARGS']}))`;
    const { stdout } = await run([python, '-c', probe], { timeoutMs: 30_000 });
    assert.deepEqual(JSON.parse(stdout), { len: GDB_SCRIPT.length, args: { pid: 4242, locals: true, reader: 'frame-objects' } });
  });
});

function state(pid: number): string {
  return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').charAt(0);
}

async function waitForState(pid: number, want: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (state(pid) !== want) {
    assert.ok(Date.now() < deadline, `process ${pid} is ${state(pid)}, not ${want}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('reapingRemotely', () => {
  it("ends what gdb left in its group, keeps gdb's exit code, and passes the argv through", async () => {
    // Stands in for a killed gdb: exits 137 while a child it forked still holds the output open.
    const r = await run(reapingRemotely(['sh', '-c', 'sleep 300 & echo "$1"; exit 137', 'x', "it's $HOME"], { limitSeconds: 60 }), { timeoutMs: 20_000, okExitCodes: [137] });
    assert.equal(r.exitCode, 137);
    assert.equal(r.stdout, "it's $HOME\n");
    assert.ok(r.durationMs < 5000, `took ${r.durationMs} ms: the leftover was not ended`);
  });

  it('ends a hung gdb at its limit and resumes the target a dying gdb may have left stopped', async () => {
    // A stopped process stands in for the target; `sleep` for a gdb that never returns.
    const target = spawn('sleep', ['300'], { stdio: 'ignore' });
    try {
      process.kill(target.pid!, 'SIGSTOP');
      await waitForState(target.pid!, 'T');
      const r = await run(reapingRemotely(['sleep', '300'], { limitSeconds: 1, resumePid: target.pid! }), { timeoutMs: 20_000, okExitCodes: [124] });
      assert.equal(r.exitCode, 124, 'timeout(1) ended it');
      assert.ok(r.durationMs < 5000, `took ${r.durationMs} ms`);
      await waitForState(target.pid!, 'S');
    } finally {
      target.kill('SIGKILL');
    }
  });
});
