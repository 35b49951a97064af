// The gdb backend on a process with many threads (81: more than the program reads with the
// interpreter's gdb extension by default): Snag's frame-object reader is chosen, gives every
// thread the same frames, lines and names as the extension (py-bt), and gdb reports its progress.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GdbBackend } from '../../src/core/backends/gdb';
import { SourceMapper } from '../../src/core/mapping/sourceMap';
import type { DumpProgress } from '../../src/core/model';
import { dumpProcess } from '../../src/core/pipeline/dumpProcess';
import { LocalTarget } from '../../src/core/targets/local';
import { dumpWithGdb, sketch } from '../support/gdbDump';
import { hangLine, PROGRAMS, startProgram } from '../support/programs';
import { requireTool } from '../support/tools';

const WORKERS = 80;
const DEPTH = 3;

describe('gdb backend: many threads', () => {
  it(`${WORKERS + 1} threads: frame objects by default, the same stacks as py-bt, progress on the way`, async (t) => {
    const gdb = requireTool(t, 'gdb', 'bash scripts/setup.sh core');
    if (!gdb) return;
    const prog = await startProgram('many_waiters.py', [String(WORKERS), String(DEPTH)], { readyTimeoutMs: 60_000 });
    t.after(() => prog.stop());

    const progress: DumpProgress[] = [];
    const auto = await dumpProcess({
      target: new LocalTarget(),
      pid: prog.pid,
      // A progress line after every thread, so that even a quick read reports.
      backend: new GdbBackend(async () => gdb, { progressEvery: 0 }),
      mapper: new SourceMapper({ workspaceRoots: [PROGRAMS] }),
      timeoutMs: 120_000,
      onProgress: (p) => progress.push(p),
    });
    const pyBt = await dumpWithGdb(prog.pid, gdb, { reader: 'py-bt' });

    assert.equal(auto.method, 'frame-objects', auto.notes?.join('\n'));
    assert.match(auto.notes!.join('\n'), new RegExp(`for ${WORKERS + 1} threads it is many times faster`));
    assert.equal(pyBt.method, 'py-bt', pyBt.notes?.join('\n'));
    assert.equal(auto.threads.length, WORKERS + 1);
    assert.deepEqual(auto.threads.map((x) => x.name).sort(), pyBt.threads.map((x) => x.name).sort());
    for (const th of auto.threads) {
      const other = pyBt.threads.find((x) => x.name === th.name)!;
      assert.deepEqual(sketch(th), sketch(other), th.name);
    }
    const worker = auto.threads.find((x) => x.name === 'worker-7')!;
    const s = sketch(worker);
    const waits = `descend@many_waiters.py:${hangLine('many_waiters.py', 'waiter')}`;
    assert.equal(s.filter((x) => x === waits).length, 1, s.join(' | '));
    assert.equal(s.filter((x) => x.startsWith('descend@')).length, DEPTH + 1, s.join(' | '));
    assert.deepEqual(auto.findings.map((f) => f.kind).sort(), pyBt.findings.map((f) => f.kind).sort());

    assert.ok(progress.length > 0, 'no progress reported');
    assert.ok(
      progress.every((p) => p.threads === WORKERS + 1),
      JSON.stringify(progress.slice(0, 3)),
    );
    assert.ok(
      progress.every((p, i) => i === 0 || p.threadsRead >= progress[i - 1]!.threadsRead),
      'progress went backwards',
    );
    assert.ok(progress.at(-1)!.threadsRead > WORKERS / 2, JSON.stringify(progress.at(-1)));
  });
});
