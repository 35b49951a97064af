// Thread names read by the gdb backend are the program's exact strings, with both ways of reading
// Python frames (the interpreter's gdb extension and Snag's frame-object reader): no repr escapes
// (`it\'s`, a literal `\x1b`), non-ASCII intact, and a main thread the program renamed keeps its
// name. `--json` carries them exactly; the text output neutralises the escape sequence.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it, type TestContext } from 'node:test';
import type { GdbPythonReader } from '../../src/core/backends/gdb';
import { dumpWithGdb } from '../support/gdbDump';
import { PYTHON, startProgram } from '../support/programs';
import { ensureBuilt, runCli } from '../support/snag';
import { requireTool } from '../support/tools';

const DEBIAN_GDB_EXTENSION = '/usr/share/gdb/auto-load/usr/bin/python3.11-gdb.py';
const THREADS = ["it's", 'back\\slash', 'T\x1b[2J', 'naïve ✓ 日本', 'a"b'];
const MAIN = "main 'renamed' ✓";

function debianPython(t: TestContext): string | undefined {
  const p = requireTool(t, 'python3.11', 'bash scripts/setup.sh core', ['/usr/bin']);
  if (!p) return undefined;
  if (!existsSync(DEBIAN_GDB_EXTENSION)) {
    if (process.env.CI === 'true') throw new Error('python3.11-dbg is not installed (bash scripts/setup.sh core)');
    t.skip('python3.11-dbg is not installed');
    return undefined;
  }
  return p;
}

const CASES: { label: string; reader: GdbPythonReader; python: (t: TestContext) => string | undefined }[] = [
  { label: "the gdb extension (Debian's python3.11-dbg)", reader: 'py-bt', python: debianPython },
  { label: "Snag's frame-object reader (Debian's python3.11)", reader: 'frame-objects', python: debianPython },
  { label: "Snag's frame-object reader (pyenv python3)", reader: 'frame-objects', python: () => PYTHON },
];

describe('gdb backend: thread names are exact', () => {
  for (const c of CASES) {
    it(`${c.label}: quotes, backslashes, escapes, non-ASCII and a renamed main thread`, async (t) => {
      const gdb = requireTool(t, 'gdb', 'bash scripts/setup.sh core');
      const python = c.python(t);
      if (!gdb || !python) return;
      const prog = await startProgram('odd_thread_names.py', [], { python, readyTimeoutMs: 30_000 });
      t.after(() => prog.stop());
      const d = await dumpWithGdb(prog.pid, gdb, { reader: c.reader });
      assert.equal(d.method, c.reader, d.notes?.join('\n'));
      const names = d.threads.map((th) => th.name);
      for (const n of [...THREADS, MAIN]) assert.ok(names.includes(n), `${JSON.stringify(n)} among ${JSON.stringify(names)}`);
      assert.equal(d.threads.find((th) => th.nativeId === prog.pid)?.name, MAIN);
    });
  }

  it('snag dump --backend gdb: --json exact, text neutralised', async (t) => {
    const gdb = requireTool(t, 'gdb', 'bash scripts/setup.sh core');
    const python = debianPython(t);
    if (!gdb || !python) return;
    ensureBuilt();
    const prog = await startProgram('odd_thread_names.py', [], { python, readyTimeoutMs: 30_000 });
    t.after(() => prog.stop());
    const json = await runCli(['dump', String(prog.pid), '--backend', 'gdb', '--gdb', gdb, '--json']);
    assert.equal(json.code, 0, json.stderr);
    const names = (JSON.parse(json.stdout) as { threads: { name: string }[] }).threads.map((th) => th.name);
    for (const n of [...THREADS, MAIN]) assert.ok(names.includes(n), `${JSON.stringify(n)} among ${JSON.stringify(names)}`);
    const text = await runCli(['dump', String(prog.pid), '--backend', 'gdb', '--gdb', gdb]);
    assert.equal(text.code, 0, text.stderr);
    assert.ok(!text.stdout.includes('\x1b'), 'a raw ESC reached the terminal');
    // The five waiting alike are one group: "it's", "back\slash", "T\e[2J", …
    // Quotes and backslashes of a name escaped inside its quotes; the ESC shown as \e.
    assert.match(text.stdout, /"it's", "back\\\\slash", "T\\e\[2J", "naïve ✓ 日本" and "a\\"b"/);
    assert.match(text.stdout, /^Thread \d+ \(idle\): "main 'renamed' ✓"$/m);
  });
});
