import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseGdbProgress, parseGdbReport } from '../../src/core/backends/gdbParse';
import { GDB_SCRIPT, GDB_SCRIPT_BEGIN, GDB_SCRIPT_END } from '../../src/core/backends/gdbScript';
import { REPO } from '../support/programs';

const recorded = (name: string) => readFileSync(join(REPO, 'test', 'fixtures', 'outputs', name), 'utf8');

describe('parseGdbReport on recorded gdb output', () => {
  it("finds the report between the markers, past gdb's own lines", () => {
    const text = recorded('gdb-gc-finalizer-py-bt.txt');
    assert.match(text.split('\n')[1]!, /__libc_pause/); // gdb prints the stop location before the report
    const r = parseGdbReport(text)!;
    assert.equal(r.attached, true);
    assert.equal(r.detached, true);
    assert.equal(r.method, 'py-bt');
    assert.match(r.extension!, /python3\.11-gdb\.py$/);
    assert.equal(r.pythonVersion, '3.11.7');
    assert.equal(r.threads!.length, 1);
    const t = r.threads![0]!;
    assert.equal(t.lwp, r.pid);
    assert.equal(t.frames.filter((f) => f.eval).length, t.python!.length);
    assert.deepEqual(t.frames[0], {
      function: '__libc_pause',
      pc: t.frames[0]!.pc,
      line: 29,
      file: 'sysdeps/unix/sysv/linux/pause.c',
      library: '/lib/x86_64-linux-gnu/libc.so.6',
    });
  });

  it('reads an attach failure (no threads)', () => {
    const r = parseGdbReport(recorded('gdb-err-permission.txt'))!;
    assert.equal(r.attached, false);
    assert.deepEqual(r.error, { stage: 'attach', message: 'ptrace: Operation not permitted.' });
    assert.equal(r.threads, undefined);
  });

  it('is undefined when the script never printed (gdb without Python, killed gdb)', () => {
    assert.equal(parseGdbReport('Python scripting is not supported in this copy of GDB.\n'), undefined);
    assert.equal(parseGdbReport(`\n${GDB_SCRIPT_BEGIN}\n{"pid": 1, "threads": [`), undefined);
  });

  it('rejects a report that is not one', () => {
    assert.throws(
      () => parseGdbReport(`\n${GDB_SCRIPT_BEGIN}\n[1, 2]\n${GDB_SCRIPT_END}\n`),
      /gdb printed output Snag cannot read: Snag's gdb report: the report should be an object, is a list/,
    );
    assert.throws(() => parseGdbReport(`\n${GDB_SCRIPT_BEGIN}\n{not json\n${GDB_SCRIPT_END}\n`), /gdb printed output Snag cannot read: it is not valid JSON/);
  });

  it('the script prints the markers the parser looks for', () => {
    assert.ok(GDB_SCRIPT.includes(`BEGIN = '${GDB_SCRIPT_BEGIN}'`));
    assert.ok(GDB_SCRIPT.includes(`END = '${GDB_SCRIPT_END}'`));
  });
});

describe('gdb progress lines', () => {
  it('reads the lines the program writes on stderr, and nothing else', () => {
    assert.deepEqual(parseGdbProgress('@@SNAG-GDB-PROGRESS@@ {"threads": 120, "of": 501}'), { threadsRead: 120, threads: 501 });
    assert.equal(parseGdbProgress("warning: Unable to find libthread_db matching inferior's thread library"), undefined);
    assert.equal(parseGdbProgress('@@SNAG-GDB-PROGRESS@@ {"threads": 9, "of": 3}'), undefined);
    assert.equal(parseGdbProgress('@@SNAG-GDB-PROGRESS@@ {"threads": -1, "of": 3}'), undefined);
    assert.equal(parseGdbProgress('@@SNAG-GDB-PROGRESS@@ not json'), undefined);
  });
});
