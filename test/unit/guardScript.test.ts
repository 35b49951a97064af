// The guard's sh program, run for real with stand-ins for the tool: what it adds, refuses, ends,
// reaps and resumes, and the lines it reports back (removed again from the tool's stderr).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { guardedArgv, guardedStderr, REFUSED_EXIT, TOOL_MISSING_EXIT } from '../../src/core/guard/guardScript';
import { resumeIfStopped } from '../../src/core/guard/runGuarded';
import { run } from '../../src/core/run';

function state(pid: number): string {
  return readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /s, '')
    .charAt(0);
}

async function waitForState(pid: number, want: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (state(pid) !== want) {
    assert.ok(Date.now() < deadline, `process ${pid} is ${state(pid)}, not ${want}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function sleeper() {
  return spawn('sleep', ['300'], { stdio: 'ignore' });
}

describe('guard script', () => {
  it("ends what the tool left in its group, keeps the tool's exit code and passes the argv through", async () => {
    const target = sleeper();
    try {
      // Stands in for a killed gdb: exits 137 while a child it forked still holds the output open.
      const r = await run(guardedArgv(['sh', '-c', 'sleep 300 & echo "$1"; exit 137', 'x', "it's $HOME"], target.pid!, 60, 'refuse'), {
        timeoutMs: 20_000,
        okExitCodes: [137],
      });
      assert.equal(r.exitCode, 137);
      assert.equal(r.stdout, "it's $HOME\n");
      assert.ok(r.durationMs < 5000, `took ${r.durationMs} ms: the leftover was not ended`);
      assert.equal(guardedStderr(r.stderr).stderr.trim(), '', 'nothing of its own when nothing happened');
    } finally {
      target.kill('SIGKILL');
    }
  });

  it('a killed tool leaves a member of its group that TERM and CONT cannot end: the guard KILLs it before it exits', async () => {
    const target = sleeper();
    let straggler = 0;
    try {
      // Stands in for gdb's ptrace probe, left traced by init when gdb was killed before the probe's
      // PTRACE_TRACEME: only SIGKILL ends it. Here: a child that ignores TERM, holding the output.
      const tool = ['sh', '-c', '(trap "" TERM; exec sleep 300) & echo "$!"; kill -KILL $$', 'tool'];
      // Spawned as over ssh: the guard leads its own group, and nothing else cleans up after it.
      const guard = spawn(guardedArgv(tool, target.pid!, 60, 'refuse')[0]!, guardedArgv(tool, target.pid!, 60, 'refuse').slice(1), {
        detached: true,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      let out = '';
      guard.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const code = await new Promise<number | null>((r) => guard.once('exit', r));
      assert.equal(code, 137);
      straggler = Number(out.trim());
      assert.ok(straggler > 0, `the tool printed its child's pid: ${JSON.stringify(out)}`);
      const deadline = Date.now() + 5000;
      const alive = () => {
        try {
          return !/^[ZX]$/.test(state(straggler));
        } catch {
          return false;
        }
      };
      while (alive()) {
        assert.ok(Date.now() < deadline, `the straggler ${straggler} is still ${state(straggler)} after the guard exited`);
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      target.kill('SIGKILL');
      try {
        if (straggler) process.kill(straggler, 'SIGKILL');
      } catch {
        /* ended, as it should be */
      }
    }
  });

  it('ends a hung tool at its limit and resumes the target it stopped', async () => {
    const target = sleeper();
    try {
      // The tool stops the target (as a debugger dying mid-attach does) and never returns.
      const tool = ['sh', '-c', 'kill -STOP "$1"; sleep 300', 'tool', String(target.pid)];
      const r = await run(guardedArgv(tool, target.pid!, 1, 'nonblocking'), { timeoutMs: 20_000, okExitCodes: [124] });
      assert.equal(r.exitCode, 124, 'timeout(1) ended it');
      assert.ok(r.durationMs < 5000, `took ${r.durationMs} ms`);
      assert.equal(guardedStderr(r.stderr).report.resumed, true, r.stderr);
      await waitForState(target.pid!, 'S');
    } finally {
      target.kill('SIGKILL');
    }
  });

  it('a tool that stops the target and exits 0: the target is resumed', async () => {
    const target = sleeper();
    try {
      const r = await run(guardedArgv(['sh', '-c', 'kill -STOP "$1"; echo ok', 'tool', String(target.pid)], target.pid!, 30, 'nonblocking'), {
        timeoutMs: 20_000,
      });
      const { stderr, report } = guardedStderr(r.stderr);
      assert.equal(r.stdout, 'ok\n');
      assert.equal(stderr.trim(), '');
      assert.equal(report.resumed, true);
      await waitForState(target.pid!, 'S');
    } finally {
      target.kill('SIGKILL');
    }
  });

  it('a target stopped before the run is left stopped and said so', async () => {
    const target = sleeper();
    try {
      process.kill(target.pid!, 'SIGSTOP');
      await waitForState(target.pid!, 'T');
      const r = await run(guardedArgv(['true'], target.pid!, 30, 'nonblocking'), { timeoutMs: 20_000 });
      assert.equal(guardedStderr(r.stderr).report.stoppedBefore, true);
      assert.equal(state(target.pid!), 'T');
    } finally {
      target.kill('SIGKILL');
    }
  });

  it('a pipe writer: --nonblocking is added for py-spy, gdb is refused', async () => {
    // head blocks writing into a pipe whose reader (sleep) never reads.
    const writer = spawn('sh', ['-c', 'head -c 1000000 /dev/zero | sleep 300'], { stdio: 'ignore', detached: true });
    try {
      const deadline = Date.now() + 5000;
      let head = 0;
      while (!head && Date.now() < deadline) {
        const kids = readFileSync(`/proc/${writer.pid}/task/${writer.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
        head = kids.find((k) => /pipe/.test(readFileSync(`/proc/${k}/wchan`, 'utf8'))) ?? 0;
        if (!head) await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(head, 'no pipe writer');
      const added = await run(guardedArgv(['echo'], head, 30, 'nonblocking'), { timeoutMs: 20_000 });
      assert.equal(added.stdout, '--nonblocking\n');
      assert.deepEqual(guardedStderr(added.stderr).report.pipeWriters, [head]);
      const refused = await run(guardedArgv(['echo', 'ran'], head, 30, 'refuse'), { timeoutMs: 20_000, okExitCodes: [REFUSED_EXIT] });
      assert.equal(refused.stdout, '');
      const ignored = await run(guardedArgv(['echo', 'ran'], head, 30, 'ignore'), { timeoutMs: 20_000 });
      assert.equal(ignored.stdout, 'ran\n');
    } finally {
      process.kill(-writer.pid!, 'SIGKILL');
    }
  });

  it('a tool that is not there is reported as missing, not run', async () => {
    const r = await run(guardedArgv(['/nonexistent/py-spy', 'dump'], process.pid, 30, 'nonblocking'), { timeoutMs: 20_000, okExitCodes: [TOOL_MISSING_EXIT] });
    assert.equal(guardedStderr(r.stderr).report.toolMissing, true);
  });

  it('the target exits while the tool runs: reported gone, nothing signalled', async () => {
    const target = sleeper();
    const r = await run(guardedArgv(['sh', '-c', 'kill -KILL "$1"; sleep 0.3', 'tool', String(target.pid)], target.pid!, 30, 'nonblocking'), {
      timeoutMs: 20_000,
    });
    const { report } = guardedStderr(r.stderr);
    assert.equal(report.gone, true, r.stderr);
    assert.equal(report.resumed, false);
    assert.ok(report.guardPid, 'the guard says its pid (for the reaper)');
  });
});

describe('resumeIfStopped', () => {
  it('a pid whose start time changed is another process: left alone', async () => {
    const target = sleeper();
    try {
      process.kill(target.pid!, 'SIGSTOP');
      await waitForState(target.pid!, 'T');
      assert.equal(await resumeIfStopped({ kind: 'local', pid: target.pid! }, '1'), 'gone');
      assert.equal(state(target.pid!), 'T', 'no SIGCONT for a process that is not the target');
      assert.equal(await resumeIfStopped({ kind: 'local', pid: target.pid! }), 'resumed');
    } finally {
      target.kill('SIGKILL');
    }
  });
});
