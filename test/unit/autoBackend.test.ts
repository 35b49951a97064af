import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AutoBackend, chooseBackend, gdbMayHelp, isBackendChoice, unresolvedNativeThreads } from '../../src/core/backends/auto';
import { GdbBackend } from '../../src/core/backends/gdb';
import { PySpyBackend } from '../../src/core/backends/pyspy';
import { pyspyError } from '../../src/core/backends/pyspyErrors';
import { parsePySpyDump } from '../../src/core/backends/pyspyParse';
import { SnagError } from '../../src/core/errors';
import { RunError } from '../../src/core/run';
import type { StackDump } from '../../src/core/model';
import { REPO } from '../support/programs';

const recorded = (name: string) => readFileSync(join(REPO, 'test', 'fixtures', 'outputs', name), 'utf8');
const dumpOf = (json: string): StackDump => ({ pid: 1, backend: 'py-spy', takenAt: '', durationMs: 0, threads: parsePySpyDump(json), findings: [] });

describe('auto backend choice', () => {
  it('recorded py-spy --native: threads whose innermost native frame has no name', () => {
    // py-spy named MainThread's recv but not the futex wait under silent-server's Event.wait.
    assert.deepEqual(unresolvedNativeThreads(dumpOf(recorded('pyspy-socket-recv-native.json'))), ['silent-server']);
  });

  it('a dump without native frames needs nothing more', () => {
    assert.deepEqual(unresolvedNativeThreads(dumpOf(recorded('pyspy-socket-recv.json'))), []);
  });

  it('which recorded py-spy failures send Auto to gdb', () => {
    const failed = (fixture: string) => {
      const stderr = recorded(fixture).replace(/^# captured:.*\n/, '');
      return pyspyError(new RunError('exit', ['py-spy', 'dump'], 'py-spy exited with code 1', { stderr, stdout: '', exitCode: 1 }), 4242);
    };
    // A panic or a read failure: gdb reads the process its own way.
    assert.equal(gdbMayHelp(failed('pyspy-err-panic.txt')), true);
    assert.equal(gdbMayHelp(new SnagError('unsupported-python', 'x')), true);
    // gdb would be refused too, the process is gone, or it is no Python at all.
    assert.equal(gdbMayHelp(failed('pyspy-err-permission.txt')), false);
    assert.equal(gdbMayHelp(failed('pyspy-err-gone.txt')), false);
    assert.equal(gdbMayHelp(failed('pyspy-err-not-python.txt')), false);
    // py-spy missing: install it (its error says how), do not switch quietly.
    assert.equal(gdbMayHelp(new SnagError('tool-not-found', 'py-spy was not found')), false);
  });

  it('--backend values', () => {
    assert.ok(isBackendChoice('auto') && isBackendChoice('gdb') && isBackendChoice('py-spy'));
    assert.ok(!isBackendChoice('lldb'));
    const pyspy = new PySpyBackend(async () => 'py-spy');
    const gdb = new GdbBackend(async () => 'gdb');
    assert.equal(chooseBackend('py-spy', pyspy, gdb), pyspy);
    assert.equal(chooseBackend('gdb', pyspy, gdb), gdb);
    assert.ok(chooseBackend('auto', pyspy, gdb) instanceof AutoBackend);
  });
});
