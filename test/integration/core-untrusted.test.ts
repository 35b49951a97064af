// A core and its <core>.json from elsewhere are untrusted input. One real core of deadlock.py under
// pyenv CPython 3.8 (gcore), then: a forged sidecar naming an interpreter kept beside the core with
// a python3.8-gdb.py that would write a file when loaded (it is not loaded, and the interpreter
// Snag used is said); --python with another version (refused, naming what the core mapped); --python
// a folder or a text file (refused). And a core of a 150-call deep stack keeps every Python frame.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { captureCore } from '../../src/core/coredump/captureCore';
import { dumpCore } from '../../src/core/coredump/readCore';
import { SourceMapper } from '../../src/core/mapping/sourceMap';
import { LocalTarget } from '../../src/core/targets/local';
import { PROGRAMS, startProgram } from '../support/programs';
import { requireTool } from '../support/tools';

const PYENV = join(process.env.PYENV_ROOT ?? '/root/.pyenv', 'versions');

function pyenvPython(minor: string): string | undefined {
  if (!existsSync(PYENV)) return undefined;
  const dir = readdirSync(PYENV).find((d) => d.startsWith(`${minor}.`));
  return dir ? join(PYENV, dir, 'bin', `python${minor}`) : undefined;
}

function tools(t: TestContext, ...minors: string[]) {
  const gcore = requireTool(t, 'gcore', 'bash scripts/setup.sh core');
  const gdb = requireTool(t, 'gdb', 'bash scripts/setup.sh core');
  const pythons = minors.map(pyenvPython);
  if (pythons.some((p) => !p)) {
    if (process.env.CI === 'true') throw new Error(`pyenv CPython ${minors.join(', ')} must be installed`);
    t.skip(`pyenv CPython ${minors.join(', ')} not installed`);
    return undefined;
  }
  return gcore && gdb ? { gcore, gdb, pythons: pythons as string[] } : undefined;
}

const mapper = () => new SourceMapper({ workspaceRoots: [PROGRAMS] });

describe('cores from elsewhere', () => {
  it('a forged sidecar cannot make gdb run a script; a wrong --python is refused', { timeout: 240_000 }, async (t) => {
    const got = tools(t, '3.8', '3.13');
    if (!got) return;
    const [py38, py313] = got.pythons as [string, string];
    const dir = mkdtempSync(join(tmpdir(), 'snag-core-untrusted-'));
    const program = await startProgram('deadlock.py', [], { python: py38 });
    t.after(() => {
      program.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    const meta = await captureCore({ target: new LocalTarget(), pid: program.pid, dir, gcore: got.gcore });
    program.stop();

    // The bundle: an interpreter beside the core and the script gdb would find beside it.
    mkdirSync(join(dir, 'bin'));
    const marker = join(dir, 'script-ran');
    for (const name of ['python3.8', 'python3.8-gdb.py']) {
      if (name.endsWith('.py')) writeFileSync(join(dir, 'bin', name), `open(${JSON.stringify(marker)}, "w").write("ran")\n`);
      else copyFileSync(py38, join(dir, 'bin', name));
    }
    for (const interpreter of ['bin/python3.8', join(dir, 'bin', 'python3.8')]) {
      writeFileSync(`${meta.core}.json`, JSON.stringify({ ...meta, interpreter }));
      const d = await dumpCore({ core: meta.core, gdb: got.gdb, mapper: mapper() });
      assert.equal(existsSync(marker), false, `a script beside ${interpreter} ran`);
      assert.ok(
        (d.notes ?? []).some((n) => n.startsWith('Interpreter: ') && n.includes('not loaded')),
        (d.notes ?? []).join('\n'),
      );
      assert.ok(d.threads.flatMap((x) => x.frames).some((f) => f.function === 'transfer_a_to_b'));
    }
    assert.ok(
      (await dumpCore({ core: meta.core, gdb: got.gdb, mapper: mapper() })).notes?.some((n) => n.includes('bin/python3.8')),
      'the interpreter used is named',
    );

    await assert.rejects(dumpCore({ core: meta.core, python: py313, gdb: got.gdb, mapper: mapper() }), (e: Error) => {
      assert.match(e.message, /mapped .*(python|libpython)3\.8.*Python 3\.8.*Python 3\.13/);
      return true;
    });
    await assert.rejects(dumpCore({ core: meta.core, python: dir, gdb: got.gdb, mapper: mapper() }), /is a folder/);
    await assert.rejects(dumpCore({ core: meta.core, python: join(dir, 'bin', 'python3.8-gdb.py'), gdb: got.gdb, mapper: mapper() }), /not an ELF/);
  });

  it('a deep stack keeps every Python frame, <module> included', { timeout: 240_000 }, async (t) => {
    const got = tools(t, '3.8');
    if (!got) return;
    const dir = mkdtempSync(join(tmpdir(), 'snag-core-deep-'));
    const program = await startProgram('deep_recursion.py', ['150'], { python: got.pythons[0] });
    t.after(() => {
      program.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    const meta = await captureCore({ target: new LocalTarget(), pid: program.pid, dir, gcore: got.gcore });
    program.stop();
    const d = await dumpCore({ core: meta.core, gdb: got.gdb, mapper: mapper() });
    const python = d.threads[0]!.frames.filter((f) => !f.native);
    assert.equal(python.filter((f) => f.function === 'descend').length, 151);
    assert.equal(python.at(-1)?.function, '<module>');
  });
});
