// `snag core` tells how it left the process and why a core failed: a process stopped before
// (kill -STOP) is left stopped and said to be; a full disk is told in gcore's words ("No space left
// on device"), not as a file that is "not an ELF file" (the disk: a 1 MiB tmpfs, mounted as root).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { gcoreWriteFailure, processAfterText } from '../../src/core/coredump/gcoreOutcome';
import { processState, REPO, startProgram } from '../support/programs';
import { ensureBuilt, runCli } from '../support/snag';
import { requireTool } from '../support/tools';

describe('snag core: how the process was left, why a core failed', () => {
  before(() => ensureBuilt());

  it("gcore's recorded full-disk output is read as the write failure it is", () => {
    const stderr = readFileSync(join(REPO, 'test', 'fixtures', 'outputs', 'gcore-err-no-space.txt'), 'utf8');
    assert.equal(gcoreWriteFailure(stderr), 'No space left on device');
    assert.equal(gcoreWriteFailure('Saved corefile /srv/cores/c.1\n[Inferior 1 (process 1) detached]\n'), undefined);
    assert.match(processAfterText('left-stopped'), /stopped before .* left stopped/);
  });

  it('a stopped process: left stopped, and said so', { timeout: 120_000 }, async (t) => {
    const gcore = requireTool(t, 'gcore', 'bash scripts/setup.sh core');
    if (!gcore) return;
    const dir = mkdtempSync(join(tmpdir(), 'snag-core-stopped-'));
    const program = await startProgram('sleeping_thread.py');
    t.after(() => {
      program.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    process.kill(program.pid, 'SIGSTOP');
    const r = await runCli(['core', String(program.pid), '--out', dir, '--gcore', gcore]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /The process was stopped before the core was taken and is left stopped, as it was\./);
    assert.doesNotMatch(r.stdout, /keeps running/);
    assert.equal(processState(program.pid), 'T');
  });

  it('a full disk: gcore\'s "No space left on device", and no file left', { timeout: 120_000 }, async (t) => {
    const gcore = requireTool(t, 'gcore', 'bash scripts/setup.sh core');
    if (!gcore) return;
    if (process.getuid?.() !== 0) return t.skip('mounting a small tmpfs needs root');
    const dir = mkdtempSync(join(tmpdir(), 'snag-core-full-'));
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
    if (mounted.status !== 0) return t.skip(`cannot mount a tmpfs here: ${mounted.stderr.toString().trim()}`);
    const program = await startProgram('sleeping_thread.py');
    t.after(() => {
      program.stop();
      spawnSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    });
    const r = await runCli(['core', String(program.pid), '--out', dir, '--gcore', gcore]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /gcore could not write the core of process \d+: No space left on device\./);
    assert.doesNotMatch(r.stderr, /not an ELF/);
    assert.deepEqual(readdirSync(dir), [], 'the partial core is removed');
    assert.notEqual(processState(program.pid), 'T');
  });
});
