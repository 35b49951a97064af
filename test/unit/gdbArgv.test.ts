import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gdbDumpArgv } from '../../src/core/backends/gdb';
import { run } from '../../src/core/run';
import { GDB_SCRIPT } from '../../src/core/backends/gdbScript';
import { requireTool } from '../support/tools';

describe('gdbDumpArgv', () => {
  const argv = gdbDumpArgv('/usr/bin/gdb', { pid: 4242, locals: true, reader: 'frame-objects' });

  it('runs gdb in batch mode without init files, debuginfod or auto-loaded scripts', () => {
    assert.deepEqual(argv.slice(0, 4), ['/usr/bin/gdb', '-nx', '-q', '-batch']);
    const iex = argv.flatMap((a, i) => (argv[i - 1] === '-iex' ? [a] : []));
    assert.deepEqual(iex, ['set debuginfod enabled off', 'set auto-load python-scripts off', 'set pagination off', 'set confirm off']);
    assert.equal(argv.at(-2), '-ex');
    assert.match(argv.at(-1)!, /^python import base64, json, zlib; exec\(/);
    assert.ok(!argv.at(-1)!.includes('\n'), 'one gdb command line');
  });

  it('carries the script and its arguments, which Python unpacks as they were', async (t) => {
    const python = requireTool(t, 'python3');
    if (!python) return;
    // Run the same statement gdb runs, minus gdb: decode, then check syntax down to Python 3.6.
    const stmt = argv
      .at(-1)!
      .replace(/^python /, '')
      .replace(/exec\(compile\((.*), 'snag-gdb\.py', 'exec'\), (\{.*\})\)$/, 'src = $1; ns = $2');
    const probe = `${stmt}\nimport ast, sys\nast.parse(src, feature_version=(3, 6))\nsys.stdout.write(json.dumps({'len': len(src), 'args': ns['SNAG_ARGS']}))`;
    const { stdout } = await run([python, '-c', probe], { timeoutMs: 30_000 });
    assert.deepEqual(JSON.parse(stdout), { len: GDB_SCRIPT.length, args: { pid: 4242, locals: true, reader: 'frame-objects' } });
  });
});
