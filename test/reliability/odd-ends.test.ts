// Processes and outputs at odd ends, each a promise a review broke: a process whose main thread has
// exited (its leader is a zombie, its other threads run) is alive, not "a zombie"; output to a full
// disk is one line saying so, not a stack trace.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { PYTHON } from '../support/programs';
import { CLI, ensureBuilt, isOneLine, runCli } from '../support/snag';
import { requireTool } from '../support/tools';

const MAIN_EXITS = `
import ctypes, threading, time
def worker():
    print("ready", flush=True)
    time.sleep(600)
threading.Thread(target=worker, name="survivor").start()
time.sleep(0.2)
ctypes.CDLL(None).pthread_exit(None)
`;

function leaderState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.charAt(stat.lastIndexOf(')') + 2);
}

describe('reliability: odd ends', () => {
  it('a process whose main thread exited is alive with its threads, not a zombie (py-spy and gdb)', async (t) => {
    ensureBuilt();
    const pyspy = requireTool(t, 'py-spy');
    const gdb = requireTool(t, 'gdb');
    if (!pyspy || !gdb) return;
    const p = spawn(PYTHON, ['-c', MAIN_EXITS], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      await new Promise<void>((res) => p.stdout!.once('data', () => res()));
      const deadline = Date.now() + 5000;
      while (leaderState(p.pid!) !== 'Z') {
        assert.ok(Date.now() < deadline, 'the main thread did not exit');
        await new Promise((r) => setTimeout(r, 50));
      }
      for (const tool of [
        ['--pyspy', pyspy],
        ['--backend', 'gdb', '--gdb', gdb],
      ]) {
        const r = await runCli(['dump', String(p.pid), ...tool]);
        assert.equal(r.code, 1, r.stderr);
        assert.ok(isOneLine(r.stderr), r.stderr);
        assert.match(
          r.stderr,
          new RegExp(`^snag: Process ${p.pid} \\(python3?[\\d.]*\\) is alive but its main thread has exited, while 1 other thread still runs`),
        );
        assert.doesNotMatch(r.stderr, /is a zombie/);
      }
    } finally {
      p.kill('SIGKILL');
    }
  });

  it('output to a full disk: one line on stderr, exit 1, no stack trace', async () => {
    ensureBuilt();
    const fd = openSync('/dev/full', 'w');
    try {
      const r = await new Promise<{ code: number | null; stderr: string }>((res) => {
        const c = spawn(process.execPath, [CLI, '--help'], { stdio: ['ignore', fd, 'pipe'] });
        let stderr = '';
        c.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
        c.on('close', (code) => res({ code, stderr }));
      });
      assert.equal(r.code, 1);
      assert.equal(r.stderr, 'snag: cannot write the output: no space left on the device\n');
    } finally {
      closeSync(fd);
    }
  });
});
