// Post-mortem on real cores: `snag core` (captureCore) takes a core of the stuck deadlock.py with
// gcore under each pyenv CPython 3.8–3.13 and leaves the process running; `snag dump --core`
// (dumpCore) reads it with gdb to the right threads, frames and findings. These are the cores
// py-spy 0.4's `dump --core` refuses (their executable text is not in them; see docs/post-mortem.md).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { captureCore } from '../../src/core/coredump/captureCore';
import { dumpCore } from '../../src/core/coredump/readCore';
import { SourceMapper } from '../../src/core/mapping/sourceMap';
import { LocalTarget } from '../../src/core/targets/local';
import { hangLine, processState, PROGRAMS, startProgram } from '../support/programs';
import { requireTool } from '../support/tools';

const PYENV = join(process.env.PYENV_ROOT ?? '/root/.pyenv', 'versions');
const VERSIONS = ['3.8', '3.9', '3.10', '3.11', '3.12', '3.13'];

function pyenvPython(minor: string): string | undefined {
  if (!existsSync(PYENV)) return undefined;
  const dir = readdirSync(PYENV).find((d) => d.startsWith(`${minor}.`));
  return dir ? join(PYENV, dir, 'bin', 'python3') : undefined;
}

describe('cores of stuck programs: saved with gcore, read with gdb', () => {
  for (const minor of VERSIONS) {
    it(`Python ${minor}: snag core leaves the process running; the core opens to the deadlock`, { timeout: 240_000 }, async (t) => {
      const gcore = requireTool(t, 'gcore', 'bash scripts/setup.sh core');
      const gdb = requireTool(t, 'gdb', 'bash scripts/setup.sh core');
      if (!gcore || !gdb) return;
      const python = pyenvPython(minor);
      if (!python) {
        if (process.env.CI === 'true') throw new Error(`pyenv CPython ${minor} is not installed`);
        return t.skip(`pyenv CPython ${minor} is not installed`);
      }
      const dir = mkdtempSync(join(tmpdir(), 'snag-core-test-'));
      const program = await startProgram('deadlock.py', [], { python });
      t.after(() => {
        program.stop();
        rmSync(dir, { recursive: true, force: true });
      });

      const meta = await captureCore({ target: new LocalTarget(), pid: program.pid, dir, gcore });
      assert.notEqual(processState(program.pid), 'T', 'the process was let go');
      assert.ok(processState(program.pid), 'the process is still there');
      assert.equal(meta.pid, program.pid);
      assert.equal(meta.threads, 3);
      assert.ok(meta.cmdline.some((a) => a.endsWith('deadlock.py')));
      assert.match(meta.interpreter ?? '', new RegExp(`python${minor.replace('.', '\\.')}$`));
      assert.ok(meta.cwd);
      const saved = JSON.parse(readFileSync(`${meta.core}.json`, 'utf8')) as { pid: number };
      assert.equal(saved.pid, program.pid);
      program.stop();

      const d = await dumpCore({ core: meta.core, gdb, mapper: new SourceMapper({ workspaceRoots: [PROGRAMS] }) });
      assert.equal(d.opened?.from, 'core');
      assert.equal(d.pid, program.pid);
      assert.match(d.pythonVersion ?? '', new RegExp(`^${minor.replace('.', '\\.')}`));
      assert.equal(d.threads.length, 3);
      assert.equal(d.threads[0]!.name, 'MainThread');
      for (const [func, tag] of [
        ['transfer_a_to_b', 'a-waits-b'],
        ['transfer_b_to_a', 'b-waits-a'],
      ] as const) {
        const frame = d.threads.flatMap((x) => x.frames).find((f) => f.function === func);
        assert.ok(frame, `${func} is read from the core: ${JSON.stringify(d.threads.map((x) => x.frames.map((f) => f.function)))}`);
        assert.equal(frame.line, hangLine('deadlock.py', tag));
        assert.equal(frame.localFile, join(PROGRAMS, 'deadlock.py'));
      }
      // Native frames too: the lock wait inside C.
      assert.ok(d.threads.some((x) => x.frames.some((f) => f.native && /PyThread_acquire_lock|sem_wait|futex/.test(f.function))));
      assert.ok(
        d.findings.some((f) => f.kind === 'deadlock'),
        JSON.stringify(d.findings.map((f) => f.title)),
      );
    });
  }

  // A core keeps no run state: a thread stopped outside a system call was running.
  for (const minor of ['3.8', '3.13']) {
    it(`Python ${minor}: a busy thread in a core is running, the ones in a system call wait`, { timeout: 240_000 }, async (t) => {
      const gcore = requireTool(t, 'gcore', 'bash scripts/setup.sh core');
      const gdb = requireTool(t, 'gdb', 'bash scripts/setup.sh core');
      if (!gcore || !gdb) return;
      const python = pyenvPython(minor);
      if (!python) {
        if (process.env.CI === 'true') throw new Error(`pyenv CPython ${minor} is not installed`);
        return t.skip(`pyenv CPython ${minor} is not installed`);
      }
      const dir = mkdtempSync(join(tmpdir(), 'snag-core-test-'));
      // No third thread that wakes: one that takes the GIL now and then could catch the busy
      // thread waiting for it (in a futex) at the moment of the core.
      const program = await startProgram('busy_beside_recv.py', [], { python });
      t.after(() => {
        program.stop();
        rmSync(dir, { recursive: true, force: true });
      });
      const meta = await captureCore({ target: new LocalTarget(), pid: program.pid, dir, gcore });
      program.stop();
      const d = await dumpCore({ core: meta.core, gdb, mapper: new SourceMapper({ workspaceRoots: [PROGRAMS] }) });
      const byName = new Map(d.threads.map((x) => [x.name, x]));
      assert.equal(
        byName.get('MainThread')?.active,
        true,
        `MainThread crunches: ${JSON.stringify(
          byName
            .get('MainThread')
            ?.frames.slice(0, 6)
            .map((f) => f.function),
        )}`,
      );
      assert.equal(byName.get('reader')?.active, false, 'reader waits in recv');
      assert.ok(!d.findings.some((f) => /^MainThread /.test(f.title)), JSON.stringify(d.findings.map((f) => f.title)));
      assert.ok(
        d.findings.some((f) => f.kind === 'socket-wait' && /reader/.test(f.title)),
        JSON.stringify(d.findings.map((f) => f.title)),
      );
    });
  }
});
