// `--native` never loses Python frames. On a pyenv Python 3.6 (no interpreter debug info for gdb)
// py-spy names the Python frames but not some native ones; Auto asks gdb for those, and gdb reads
// native frames only: the dump keeps py-spy's Python frames and takes gdb's native names, and says
// which native frames are still unnamed. On a modern Python whatever Auto picks keeps every Python
// frame a plain dump shows. Real py-spy and gdb against real stuck programs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AutoBackend } from '../../src/core/backends/auto';
import { GdbBackend } from '../../src/core/backends/gdb';
import { PySpyBackend } from '../../src/core/backends/pyspy';
import { dumpProcess } from '../../src/core/pipeline/dumpProcess';
import type { StackDump } from '../../src/core/model';
import { SourceMapper } from '../../src/core/mapping/sourceMap';
import { LocalTarget } from '../../src/core/targets/local';
import { hangLine, PROGRAMS, startProgram } from '../support/programs';
import { requirePythons } from '../support/pythons';
import { requireTool } from '../support/tools';

const pythonFrames = (d: StackDump) =>
  Object.fromEntries(d.threads.map((t) => [t.nativeId ?? t.id, t.frames.filter((f) => !f.native).map((f) => `${f.function}@${f.line}`)]));

test('--native keeps every Python frame a plain dump shows', { timeout: 600_000 }, async (t) => {
  const pyspy = requireTool(t, 'py-spy', 'bash scripts/setup.sh core');
  const gdb = requireTool(t, 'gdb', 'bash scripts/setup.sh core');
  if (!pyspy || !gdb) return;
  const versions = requirePythons(t, ['3.6', '3.7', '3.12']);
  if (versions.length === 0) return;
  const dump = (pid: number, native: boolean) =>
    dumpProcess({
      target: new LocalTarget(),
      pid,
      backend: new AutoBackend(new PySpyBackend(async () => pyspy), new GdbBackend(async () => gdb)),
      mapper: new SourceMapper({ workspaceRoots: [PROGRAMS] }),
      native,
      timeoutMs: 120_000,
    });

  for (const { version, python } of versions) {
    for (const program of ['socket_recv.py', 'deadlock.py']) {
      await t.test(`${program} on ${version}`, async () => {
        const p = await startProgram(program, [], { python, readyTimeoutMs: 30_000 });
        try {
          const plain = await dump(p.pid, false);
          const native = await dump(p.pid, true);
          assert.deepEqual(pythonFrames(native), pythonFrames(plain), `${version} ${program}: ${native.backend} ${native.method ?? ''}`);
          assert.ok(
            native.threads.some((x) => x.frames.some((f) => f.native)),
            'native frames were added',
          );
          if (version.startsWith('3.6')) {
            // The incident: gdb has no debug info for this interpreter, so py-spy's stacks stay.
            assert.equal(native.backend, 'py-spy');
            assert.equal(native.method, 'native names from gdb');
            assert.ok(
              native.notes?.some((n) => /the Python frames are py-spy's, the names of native frames gdb's/.test(n)),
              native.notes?.join('\n'),
            );
            // The futex waits py-spy left as addresses now have gdb's names.
            for (const x of native.threads) {
              const inner = x.frames[0]!;
              assert.ok(inner.native && !/^0x[0-9a-f]+$/i.test(inner.function), `${x.name}: ${inner.function}`);
            }
            // What is still unnamed is said (the libc frames below main, which gdb does not unwind to).
            const unnamed = native.threads.flatMap((x) => x.frames.filter((f) => f.native && /^0x/.test(f.function)));
            if (unnamed.length) assert.ok(native.notes?.some((n) => /Native frames neither py-spy nor gdb could name/.test(n)));
          }
          if (program === 'socket_recv.py') {
            assert.match(
              native.findings[0]?.title ?? '',
              new RegExp(`with no timeout at socket_recv\\.py:${hangLine('socket_recv.py', 'recv')} \\(fetch_reply\\)$`),
            );
          } else {
            assert.equal(native.findings[0]?.kind, 'deadlock', `${version}: ${native.findings.map((f) => f.title).join(' | ')}`);
          }
        } finally {
          p.stop();
        }
      });
    }
  }
});
