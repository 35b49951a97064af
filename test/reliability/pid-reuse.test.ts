// A target that exits during the read while its pid is handed to another process: what the tool
// printed may be that other process's, so the dump is refused as "exited, pid reused", never shown
// as the target's. The tool here kills the target, makes the kernel give the pid to a new process
// (ns_last_pid, as root) and prints a plausible dump.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { accessSync, chmodSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PYTHON } from '../support/programs';
import { ensureBuilt, isOneLine, runCli } from '../support/snag';

const dir = mkdtempSync(join(tmpdir(), 'snag-pid-reuse-'));
const imposterFile = join(dir, 'imposter.pid');
after(() => {
  try {
    process.kill(Number(readFileSync(imposterFile, 'utf8')), 'SIGKILL');
  } catch {
    /* never started */
  }
  rmSync(dir, { recursive: true, force: true });
});

const DUMP = JSON.stringify([
  {
    pid: 0,
    thread_id: 1,
    thread_name: 'MainThread',
    os_thread_id: 1,
    active: false,
    owns_gil: false,
    frames: [{ name: 'imposter_fn', filename: '/x/imposter.py', module: null, short_filename: 'imposter.py', line: 3, locals: null, is_entry: true }],
  },
]);

function reuser(vanish: boolean): string {
  const path = join(dir, `reuse-pid-${vanish}.sh`);
  writeFileSync(
    path,
    `#!/bin/sh
while [ $# -gt 0 ]; do [ "$1" = "--pid" ] && T=$2; shift; done
kill -KILL "$T"
n=0; while [ -e /proc/"$T" ] && [ $n -lt 500 ]; do n=$((n+1)); sleep 0.01; done
# Ask the kernel for the same pid for the next process, until it is handed out (others may race).
for i in 1 2 3 4 5 6 7 8 9 10; do
  echo $((T - 1)) > /proc/sys/kernel/ns_last_pid
  sleep 30 & p=$!
  [ "$p" = "$T" ] && { echo "$p" > '${imposterFile}'; break; }
  kill "$p"
done
${vanish ? 'kill -KILL "$p"; n=0; while [ -e /proc/"$T" ] && [ $n -lt 500 ]; do n=$((n+1)); sleep 0.01; done' : ''}
printf '%s\\n' '${DUMP}'
exit 0
`,
  );
  chmodSync(path, 0o755);
  return path;
}

function canSetLastPid(): boolean {
  try {
    accessSync('/proc/sys/kernel/ns_last_pid', constants.W_OK);
    return process.getuid?.() === 0;
  } catch {
    return false;
  }
}

describe('reliability: a pid reused during the read', () => {
  for (const [vanish, message] of [
    [false, 'exited during the py-spy read and its pid now names another process'],
    // The other process took the pid and was gone again before the guard looked: only "gone" is known.
    [true, 'exited during the dump, before py-spy was done: what it read is not shown'],
  ] as const) {
    it(`is refused, not shown as its dump${vanish ? ' (the other process gone again too)' : ''}`, async (t) => {
      if (!canSetLastPid()) return t.skip('needs root to choose the next pid (ns_last_pid)');
      ensureBuilt();
      rmSync(imposterFile, { force: true });
      const target = spawn(PYTHON, ['-c', 'import time; time.sleep(600)'], { stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, 300));
      const r = await runCli(['dump', String(target.pid), '--backend', 'py-spy', '--pyspy', reuser(vanish)]);
      let imposter: number | undefined;
      try {
        imposter = Number(readFileSync(imposterFile, 'utf8'));
      } catch {
        /* the kernel gave the pid to another process first: nothing to check */
      }
      if (imposter !== target.pid) return t.skip('another process took the pid first');
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.equal(r.stdout, '');
      assert.ok(isOneLine(r.stderr), JSON.stringify(r.stderr));
      assert.match(r.stderr, new RegExp(`^snag: Process ${target.pid} ${message}`));
      assert.doesNotMatch(r.stderr, /imposter/);
    });
  }
});
