import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pyspyError } from '../../src/core/backends/pyspyErrors';
import { SnagError } from '../../src/core/errors';
import { RunError, type RunFailure } from '../../src/core/run';
import { REPO } from '../support/programs';

/** A failed py-spy run carrying a recorded stderr (the first "# captured" line says how it was made). */
function failedRun(fixture: string, exitCode = 1): RunError {
  const stderr = readFileSync(join(REPO, 'test', 'fixtures', 'outputs', fixture), 'utf8').replace(/^# captured:.*\n/, '');
  return new RunError('exit', ['py-spy', 'dump'], `py-spy exited with code ${exitCode}`, { stderr, stdout: '', exitCode });
}
const ranInto = (failure: RunFailure) => new RunError(failure, ['py-spy', 'dump'], `py-spy: ${failure}`);

function classify(err: unknown): SnagError {
  const e = pyspyError(err, 4242);
  assert.ok(e instanceof SnagError, `expected a SnagError, got ${String(e)}`);
  return e;
}

describe('pyspyError on recorded py-spy failures', () => {
  it('process gone → refresh the list', () => {
    const e = classify(failedRun('pyspy-err-gone.txt'));
    assert.equal(e.reason, 'process-gone');
    assert.deepEqual(e.fixes, ['refresh-processes']);
    assert.equal(e.message, 'Process 4242 is not running (it has exited, or there is no such process).');
  });

  it('not a Python process → suggest its Python child', () => {
    const e = classify(failedRun('pyspy-err-not-python.txt'));
    assert.equal(e.reason, 'not-python');
    assert.deepEqual(e.fixes, ['refresh-processes']);
    assert.match(e.message, /not running a Python interpreter/);
  });

  it('permission denied → ptrace help', () => {
    const e = classify(failedRun('pyspy-err-permission.txt'));
    assert.equal(e.reason, 'permission-denied');
    assert.deepEqual(e.fixes, ['ptrace-help']);
    assert.match(e.message, /ptrace_scope/);
  });

  it('an unreadable /proc/<pid>/exe (os error 13) is a permission problem, not a gone process', () => {
    const e = classify(failedRun('pyspy-err-exe-unreadable.txt'));
    assert.equal(e.reason, 'permission-denied');
  });

  it("anything else → tool-failed with py-spy's own words (a panic's message, not its location)", () => {
    const e = classify(failedRun('pyspy-err-panic.txt', 101));
    assert.equal(e.reason, 'tool-failed');
    assert.deepEqual(e.fixes, ['show-log']);
    assert.equal(e.message, 'py-spy failed on process 4242: invalid pid: ParseIntError { kind: InvalidDigit }');
    assert.ok(e.cause instanceof RunError);
  });

  it('a stopped process py-spy cannot pause → resume it, or dump it with gdb', () => {
    const e = classify(failedRun('pyspy-err-suspend-stopped.txt'));
    assert.equal(e.reason, 'tool-failed');
    assert.match(e.message, /^py-spy could not pause process 4242: it is stopped \(Ctrl-Z, SIGSTOP\) or held by a debugger\. Resume it \(kill -CONT 4242\)/);
  });

  it('every message is one line', () => {
    for (const f of [
      'pyspy-err-suspend-stopped.txt',
      'pyspy-err-gone.txt',
      'pyspy-err-not-python.txt',
      'pyspy-err-permission.txt',
      'pyspy-err-exe-unreadable.txt',
      'pyspy-err-panic.txt',
    ])
      assert.doesNotMatch(classify(failedRun(f)).message, /\n/, f);
  });
});

describe('pyspyError on run failures', () => {
  it('py-spy missing → install it or configure its path', () => {
    const e = classify(ranInto('not-found'));
    assert.equal(e.reason, 'tool-not-found');
    assert.deepEqual(e.fixes, ['install-pyspy', 'configure-pyspy-path']);
  });
  it('timed out → retry without pausing the process', () => {
    const e = classify(ranInto('timed-out'));
    assert.equal(e.reason, 'timed-out');
    assert.deepEqual(e.fixes, ['retry-nonblocking', 'show-log']);
  });
  it('cancelled → no fix to offer', () => {
    const e = classify(ranInto('cancelled'));
    assert.equal(e.reason, 'cancelled');
    assert.deepEqual(e.fixes, []);
  });
  it('names where it ran', () => {
    assert.match((pyspyError(ranInto('not-found'), 1, 'prod-1') as Error).message, /on prod-1/);
  });
  it('passes through what is not a RunError', () => {
    const other = new TypeError('boom');
    assert.equal(pyspyError(other, 1), other);
  });
});
