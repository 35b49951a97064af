// run() against real small programs: sh, sleep, python3.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { EXIT_GRACE_MS, onDidRun, run, RunError, runStreaming } from '../../src/core/run';
import { processState, PYTHON } from '../support/programs';

const dir = mkdtempSync(join(tmpdir(), 'snag-run-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Gone, or a zombie waiting for its new parent to reap it: either way no longer running. */
function isGone(pid: number): boolean {
  const s = processState(pid);
  return s === undefined || s === 'Z' || s === 'X';
}

async function waitUntil(what: string, ok: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting: ${what}`);
    await delay(20);
  }
}

async function rejection(p: Promise<unknown>): Promise<RunError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof RunError, `expected a RunError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the run to fail');
}

/** A shell that starts a grandchild `sleep`, records its pid, then waits. */
function familyArgv(pidFile: string): string[] {
  return ['sh', '-c', `sleep 300 & echo $! > ${pidFile}; wait`];
}

describe('run', () => {
  it('returns stdout, stderr and the exit code of a program', async () => {
    const r = await run(['sh', '-c', 'echo out; echo err >&2']);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
    assert.equal(r.exitCode, 0);
    assert.deepEqual(r.argv, ['sh', '-c', 'echo out; echo err >&2']);
  });

  it('passes arguments as they are, with no shell in between', async () => {
    const r = await run([PYTHON, '-c', 'import sys; print(sys.argv[1:])', '$HOME', 'a b', "'q'"]);
    assert.equal(r.stdout, `['$HOME', 'a b', "'q'"]\n`);
  });

  it('feeds input to stdin', async () => {
    assert.equal((await run(['cat'], { input: 'hello' })).stdout, 'hello');
  });

  it('timeout kills the whole process group, grandchild included', async () => {
    const pidFile = join(dir, 'timeout.pid');
    let childPid: number | undefined;
    const err = await rejection(run(familyArgv(pidFile), { timeoutMs: 1500, onSpawn: (p) => (childPid = p) }));
    assert.equal(err.failure, 'timed-out');
    assert.match(err.message, /timed out after 1\.5 s/);
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    assert.ok(grandchild > 0);
    await waitUntil('grandchild sleep gone', () => isGone(grandchild));
    await waitUntil('child sh gone', () => isGone(childPid!));
  });

  it('killGroupOnExit: a leftover that holds the output pipes is killed when the program exits', async () => {
    // The shell exits at once; its background sleep keeps stdout open (as a stopped gdb probe does).
    const pidFile = join(dir, 'leftover.pid');
    const argv = ['sh', '-c', `sleep 300 & echo $! > ${pidFile}; echo done`];
    const started = Date.now();
    const r = await run(argv, { timeoutMs: 20_000, killGroupOnExit: true });
    assert.equal(r.stdout, 'done\n');
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
    await waitUntil('leftover sleep gone', () => isGone(Number(readFileSync(pidFile, 'utf8'))));
  });

  it('without killGroupOnExit, a leftover holding the pipes costs the grace period, not the output', async () => {
    const pidFile = join(dir, 'lingering.pid');
    const argv = ['sh', '-c', `sleep 300 & echo $! > ${pidFile}; echo done`];
    const started = Date.now();
    const r = await run(argv, { timeoutMs: 20_000 });
    assert.equal(r.stdout, 'done\n');
    assert.equal(r.exitCode, 0);
    const took = Date.now() - started;
    assert.ok(took >= EXIT_GRACE_MS - 50 && took < EXIT_GRACE_MS + 4000, `took ${took} ms`);
    await waitUntil('lingering sleep gone', () => isGone(Number(readFileSync(pidFile, 'utf8'))));
  });

  it('a leftover outside the group (setsid) holding stdout: the output is kept all the same', async () => {
    const pidFile = join(dir, 'setsid.pid');
    const r = await run(['sh', '-c', `setsid sh -c 'echo $$ > ${pidFile}; exec sleep 300' & sleep 0.2; echo done`], { timeoutMs: 20_000 });
    assert.equal(r.stdout, 'done\n');
    process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
  });

  it('a leftover that does not hold the pipes is left alone', async () => {
    const pidFile = join(dir, 'quiet.pid');
    const r = await run(['sh', '-c', `sleep 300 >/dev/null 2>&1 & echo $! > ${pidFile}; echo done`], { timeoutMs: 20_000 });
    assert.equal(r.stdout, 'done\n');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await delay(EXIT_GRACE_MS + 300);
    assert.equal(isGone(pid), false, 'the quiet leftover was killed');
    process.kill(pid, 'SIGKILL');
  });

  it('a timeout past 2^31-1 ms is clamped (no TimeoutOverflowWarning, no 1 ms timeout)', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const r = await run(['sh', '-c', 'sleep 0.3; echo ok'], { timeoutMs: 1e12 });
      assert.equal(r.stdout, 'ok\n');
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(warnings, []);
  });

  it('an AbortSignal cancels the program and its grandchildren', async () => {
    const pidFile = join(dir, 'abort.pid');
    const controller = new AbortController();
    const p = run(familyArgv(pidFile), { signal: controller.signal, timeoutMs: 60_000 });
    await waitUntil('grandchild started', () => {
      try {
        return readFileSync(pidFile, 'utf8').trim().length > 0;
      } catch {
        return false;
      }
    });
    controller.abort();
    const err = await rejection(p);
    assert.equal(err.failure, 'cancelled', 'cancelled, not timed out');
    await waitUntil('grandchild sleep gone', () => isGone(Number(readFileSync(pidFile, 'utf8'))));
  });

  it('an already aborted signal stops the program at once', async () => {
    const err = await rejection(run(['sleep', '300'], { signal: AbortSignal.abort() }));
    assert.equal(err.failure, 'cancelled');
  });

  it('caps captured output and stops a program that prints without end', async () => {
    const err = await rejection(run(['yes'], { maxBytes: 10_000, timeoutMs: 60_000 }));
    assert.equal(err.failure, 'output-too-large');
    assert.match(err.message, /more than 9\.8 KiB \(Snag's cap on its output\)/);
    assert.ok(err.stdout.length <= 10_000 + 65_536, `kept ${err.stdout.length} bytes`);
  });

  it('output within the cap is fine', async () => {
    const r = await run([PYTHON, '-c', "print('x' * 9000)"], { maxBytes: 10_000 });
    assert.equal(r.stdout.length, 9001);
  });

  it('a missing program is not-found', async () => {
    const err = await rejection(run(['snag-no-such-program-xyz', '--version']));
    assert.equal(err.failure, 'not-found');
    assert.equal(err.message, 'snag-no-such-program-xyz was not found');
  });

  it('a non-zero exit fails with the code and the last line of stderr', async () => {
    const err = await rejection(run(['sh', '-c', 'echo partial; echo first >&2; echo "the reason" >&2; exit 3']));
    assert.equal(err.failure, 'exit');
    assert.equal(err.exitCode, 3);
    assert.equal(err.stdout, 'partial\n');
    assert.equal(err.stderr, 'first\nthe reason\n');
    assert.equal(err.message, `sh -c 'echo partial; echo first >&2; echo "the reason" >&2; exit 3' exited with code 3: the reason`);
    assert.ok(RunError.is(err, 'exit'));
    assert.ok(!RunError.is(err, 'timed-out'));
  });

  it('okExitCodes accepts other exit codes as success', async () => {
    const r = await run(['sh', '-c', 'echo found; exit 1'], { okExitCodes: [0, 1] });
    assert.equal(r.exitCode, 1);
    assert.equal(r.stdout, 'found\n');
    const err = await rejection(run(['sh', '-c', 'exit 2'], { okExitCodes: [0, 1] }));
    assert.equal(err.exitCode, 2);
  });

  it('a program killed by a signal fails as signal', async () => {
    const err = await rejection(run(['sh', '-c', 'kill -TERM $$']));
    assert.equal(err.failure, 'signal');
  });

  it('an empty argv is refused', async () => {
    const err = await rejection(run([]));
    assert.equal(err.failure, 'spawn');
  });

  it('tells listeners about every run', async () => {
    const seen: Array<{ argv: readonly string[]; failure?: string }> = [];
    const stop = onDidRun((e) => seen.push(e));
    try {
      await run(['true']);
      await rejection(run(['false']));
    } finally {
      stop();
    }
    assert.deepEqual(
      seen.map((e) => [e.argv[0], e.failure]),
      [
        ['true', undefined],
        ['false', 'exit'],
      ],
    );
  });
});

describe('runStreaming', () => {
  it('hands over each line as it arrives', async () => {
    const lines: string[] = [];
    const s = runStreaming([PYTHON, '-u', '-c', "import time\nfor i in range(3):\n    print(f'line {i}'); time.sleep(0.05)\nprint('last', end='')"], (l) =>
      lines.push(l),
    );
    const r = await s.done;
    assert.equal(r.exitCode, 0);
    assert.deepEqual(lines, ['line 0', 'line 1', 'line 2', 'last']);
    assert.ok(s.pid! > 0);
  });

  it('stop() ends a long-running program and its group', async () => {
    const pidFile = join(dir, 'stream.pid');
    const lines: string[] = [];
    const s = runStreaming(['sh', '-c', `sleep 300 & echo $! > ${pidFile}; echo started; wait`], (l) => lines.push(l), { timeoutMs: 60_000 });
    await waitUntil('first line', () => lines.length > 0);
    s.stop();
    const err = await rejection(s.done);
    assert.equal(err.failure, 'cancelled');
    await waitUntil('grandchild sleep gone', () => isGone(Number(readFileSync(pidFile, 'utf8'))));
  });
});
