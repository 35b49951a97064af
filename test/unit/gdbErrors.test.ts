import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gdbNoReportError, gdbReportError, gdbRunError } from '../../src/core/backends/gdbErrors';
import { parseGdbReport } from '../../src/core/backends/gdbParse';
import { SnagError } from '../../src/core/errors';
import { RunError, type RunFailure } from '../../src/core/run';
import { REPO } from '../support/programs';

const report = (name: string) => parseGdbReport(readFileSync(join(REPO, 'test', 'fixtures', 'outputs', name), 'utf8'))!;
const ranInto = (failure: RunFailure, stderr = '', exitCode?: number) => new RunError(failure, ['gdb'], `gdb: ${failure}`, { stderr, stdout: '', exitCode });

function classify(e: unknown): SnagError {
  assert.ok(e instanceof SnagError, `expected a SnagError, got ${String(e)}`);
  return e;
}

describe('gdb failures → SnagError', () => {
  it('recorded: ptrace refused → permission-denied with ptrace help', () => {
    const e = classify(gdbReportError(report('gdb-err-permission.txt'), 4242));
    assert.equal(e.reason, 'permission-denied');
    assert.deepEqual(e.fixes, ['ptrace-help']);
    assert.match(e.message, /gdb may not attach to process 4242 \(ptrace: Operation not permitted\.\)/);
  });

  it('recorded: no such process → process-gone', () => {
    const e = classify(gdbReportError(report('gdb-err-gone.txt'), 999999));
    assert.equal(e.reason, 'process-gone');
    assert.equal(e.message, 'Process 999999 is not running (it has exited, or there is no such process).');
  });

  it('a report without error is not an error', () => {
    assert.equal(gdbReportError(report('gdb-gc-finalizer-py-bt.txt'), 1), undefined);
  });

  it('gdb missing: locally (spawn) and through a shell (exit 127)', () => {
    assert.equal(classify(gdbRunError(ranInto('not-found'), 1)).reason, 'tool-not-found');
    const remote = classify(gdbRunError(ranInto('exit', 'bash: line 1: gdb: command not found\n', 127), 1, 'prod-1'));
    assert.equal(remote.reason, 'tool-not-found');
    assert.match(remote.message, /not found on prod-1/);
    assert.deepEqual(remote.fixes, ['install-gdb']);
  });

  it('timed out, cancelled, killed: say what happened to the target afterwards', () => {
    const after = 'Process 7 was left stopped by gdb; Snag resumed it (SIGCONT).';
    const t = classify(gdbRunError(ranInto('timed-out'), 7, 'this machine', after));
    assert.equal(t.reason, 'timed-out');
    assert.ok(t.message.endsWith(after));
    assert.equal(classify(gdbRunError(ranInto('cancelled'), 7)).reason, 'cancelled');
    const k = classify(gdbRunError(ranInto('signal'), 7));
    assert.equal(k.reason, 'tool-failed');
    assert.match(k.message, /gdb was killed by a signal while reading process 7/);
    // ssh exits 255 and prints nothing when the remote command died of a signal.
    assert.match(classify(gdbRunError(ranInto('exit', '', 255), 7, 'prod-1')).message, /^gdb was killed while reading process 7 on prod-1\.$/);
    // Through a shell the signal shows as exit 128 + 9.
    assert.match(
      classify(gdbRunError(ranInto('exit', '', 137), 7, 'prod-1', after)).message,
      /^gdb was killed by SIGKILL while reading process 7\. .*out-of-memory.* Process 7 was left stopped/,
    );
  });

  it('no report: gdb without Python, or a ptrace line on stderr', () => {
    const py = gdbNoReportError('Python scripting is not supported in this copy of GDB.\n', 3);
    assert.equal(py.reason, 'tool-failed');
    assert.deepEqual(py.fixes, ['install-gdb']);
    assert.equal(gdbNoReportError('warning: x\nptrace: Operation not permitted.\n', 3).reason, 'permission-denied');
    assert.match(gdbNoReportError('warning: something\nSegmentation fault\n', 3).message, /printed no stacks for process 3: Segmentation fault/);
  });

  it('leaves errors that are not RunErrors alone', () => {
    const e = new Error('x');
    assert.equal(gdbRunError(e, 1), e);
  });
});
