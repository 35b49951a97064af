// The gdb program is a real Python file (src/core/backends/snag_gdb.py) that the TypeScript imports as
// its text: Python's own compiler checks it, and what gdb.ts sends is that file, byte for byte.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { GDB_SCRIPT } from '../../src/core/backends/gdbScript';
import { run, RunError } from '../../src/core/run';
import { requireTool } from '../support/tools';

const PROGRAM = join(__dirname, '..', '..', 'src', 'core', 'backends', 'snag_gdb.py');

/** `python3 -m py_compile`, with the bytecode written to a temporary folder rather than beside the source. */
async function pyCompile(python: string, file: string): Promise<void> {
  const cache = mkdtempSync(join(tmpdir(), 'snag-pycache-'));
  try {
    await run([python, '-m', 'py_compile', file], { timeoutMs: 30_000, env: { ...process.env, PYTHONPYCACHEPREFIX: cache } });
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}

describe('the gdb program', () => {
  it('is the text of snag_gdb.py, unchanged', () => {
    assert.equal(GDB_SCRIPT, readFileSync(PROGRAM, 'utf8'));
    assert.ok(GDB_SCRIPT.startsWith("# Snag's gdb script."));
  });

  it('compiles with python3 -m py_compile', async (t) => {
    const python = requireTool(t, 'python3');
    if (!python) return;
    await pyCompile(python, PROGRAM);
  });

  it('py_compile does report a broken program (so the check above means something)', async (t) => {
    const python = requireTool(t, 'python3');
    if (!python) return;
    const dir = mkdtempSync(join(tmpdir(), 'snag-pybroken-'));
    try {
      const broken = join(dir, 'broken.py');
      writeFileSync(broken, GDB_SCRIPT.replace('def main():', 'def main()'));
      await assert.rejects(pyCompile(python, broken), (err) => RunError.is(err, 'exit') && /SyntaxError/.test(err.stderr));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
