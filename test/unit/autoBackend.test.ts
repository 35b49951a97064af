import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { chooseBackend, isBackendChoice, unresolvedNativeThreads, AutoBackend } from '../../src/core/backends/auto';
import { GdbBackend } from '../../src/core/backends/gdb';
import { PySpyBackend } from '../../src/core/backends/pyspy';
import { parsePySpyDump } from '../../src/core/backends/pyspyParse';
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
