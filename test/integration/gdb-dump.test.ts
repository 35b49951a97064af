// The gdb backend against real stuck programs, with the real gdb: native frames (libc, the
// interpreter) and Python frames merged in order, under pyenv's python3 and Debian's python3.11
// (with python3.11-dbg), with both ways of reading Python frames. The target keeps running.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { run } from '../../src/core/run';
import { dumpWithGdb, lastTick, sketch, thread, ticksAdvance, watchStates } from '../support/gdbDump';
import { hangLine, PROGRAMS, PYTHON, startProgram, type Started } from '../support/programs';
import { ensureBuilt, runCli } from '../support/snag';
import { requireTool } from '../support/tools';

const DEBIAN_GDB_EXTENSION = '/usr/share/gdb/auto-load/usr/bin/python3.11-gdb.py';

interface Interpreter {
  label: string;
  /** The python to run fixtures with, or undefined when the test should skip/fail. */
  python(t: TestContext): string | undefined;
}

const INTERPRETERS: Interpreter[] = [
  { label: 'pyenv python3', python: () => PYTHON },
  {
    label: "Debian's python3.11 with python3.11-dbg",
    python: (t) => {
      const p = requireTool(t, 'python3.11', 'bash scripts/setup.sh core', ['/usr/bin']);
      if (!p) return undefined;
      if (!existsSync(DEBIAN_GDB_EXTENSION)) {
        if (process.env.CI === 'true') throw new Error('python3.11-dbg is not installed (bash scripts/setup.sh core)');
        t.skip('python3.11-dbg is not installed');
        return undefined;
      }
      return p;
    },
  },
];

async function start(t: TestContext, python: string, program: string, args: string[] = []): Promise<Started> {
  const prog = await startProgram(program, args, { python, readyTimeoutMs: 30_000 });
  t.after(() => prog.stop());
  return prog;
}

for (const interp of INTERPRETERS) {
  describe(`gdb backend: ${interp.label}`, () => {
    it('finalizer blocked in C: pause under __del__ (at its line), the collector, then the caller of gc.collect()', async (t) => {
      const gdb = requireTool(t, 'gdb', 'bash scripts/setup.sh core');
      const python = interp.python(t);
      if (!gdb || !python) return;
      const prog = await start(t, python, 'gc_finalizer_c.py', ['--heartbeat']);
      const watch = watchStates(prog.pid);
      const d = await dumpWithGdb(prog.pid, gdb);
      const states = watch.stop();

      assert.equal(d.backend, 'gdb');
      assert.equal(d.method, 'py-bt', d.notes?.join('\n'));
      assert.match(d.pythonVersion ?? '', /^3\.11/);
      const main = thread(d, 'MainThread');
      const s = sketch(main);
      const del = s.indexOf(`NativeHandle.__del__@gc_finalizer_c.py:${hangLine('gc_finalizer_c.py', 'finalizer')}`);
      const caller = s.indexOf(`release_handles@gc_finalizer_c.py:${hangLine('gc_finalizer_c.py', 'collect')}`);
      assert.match(s[0]!, /(^|_)pause$/, s.join(' | '));
      assert.ok(del > 0, s.join(' | '));
      assert.ok(s.slice(0, del).includes('ffi_call'), 'ctypes → libffi → pause above __del__');
      const gc = s.findIndex((x) => /^gc_collect/.test(x));
      assert.ok(del < gc && gc < caller, s.join(' | '));
      assert.equal(s[caller + 1], `<module>@gc_finalizer_c.py:${hangLine('gc_finalizer_c.py', 'caller')}`);
      // The Python frame opens like py-spy's; the finding explains the collector.
      assert.equal(main.frames[del]!.localFile, join(PROGRAMS, 'gc_finalizer_c.py'));
      assert.equal(main.frames[del]!.note, 'called from the garbage collector');
      assert.ok(d.findings.some((f) => f.kind === 'gc-finalizer'));
      assert.equal(main.frames[0]!.module, 'libc.so.6');

      assert.ok(!states.has('T'), `the target was seen stopped: ${[...states].join('')}`);
      await ticksAdvance(prog, lastTick(prog));
    });

    it('two threads deadlocked: futex/sem waits under each lock line; MainThread in join', async (t) => {
      const gdb = requireTool(t, 'gdb', 'bash scripts/setup.sh core');
      const python = interp.python(t);
      if (!gdb || !python) return;
      const prog = await start(t, python, 'deadlock.py');
      const d = await dumpWithGdb(prog.pid, gdb);
      for (const [name, fn, tag] of [
        ['worker-a', 'transfer_a_to_b', 'a-waits-b'],
        ['worker-b', 'transfer_b_to_a', 'b-waits-a'],
      ] as const) {
        const w = thread(d, name);
        const s = sketch(w);
        const user = s.indexOf(`${fn}@deadlock.py:${hangLine('deadlock.py', tag)}`);
        assert.ok(user > 0, s.join(' | '));
        assert.ok(
          s.slice(0, user).some((x) => /futex|sem_|pthread_/.test(x)),
          s.join(' | '),
        );
        assert.ok(s.slice(0, user).includes('lock_PyThread_acquire_lock'), s.join(' | '));
        assert.equal(w.active, false);
        assert.ok(s.findIndex((x) => x.startsWith('Thread.run@threading.py:')) > user, s.join(' | '));
      }
      assert.ok(sketch(thread(d, 'MainThread')).includes(`main@deadlock.py:${hangLine('deadlock.py', 'join')}`));
      assert.deepEqual(d.findings.map((f) => f.kind).sort(), ['deadlock', 'deadlock', 'join-wait']);
      assert.ok(!d.threads.some((t) => t.frames.length === 0));
    });

    it('a thread in time.sleep: clock_nanosleep under time_sleep under nap()', async (t) => {
      const gdb = requireTool(t, 'gdb', 'bash scripts/setup.sh core');
      const python = interp.python(t);
      if (!gdb || !python) return;
      const prog = await start(t, python, 'sleeping_thread.py');
      const d = await dumpWithGdb(prog.pid, gdb);
      const s = sketch(thread(d, 'sleeper'));
      assert.match(s[0]!, /^(__)?(clock_)?nanosleep$/, s.join(' | '));
      const nap = s.indexOf(`nap@sleeping_thread.py:${hangLine('sleeping_thread.py', 'sleep')}`);
      assert.ok(s.indexOf('time_sleep') > 0 && s.indexOf('time_sleep') < nap, s.join(' | '));
      // The sleep is the cause: said alone, or at the end of MainThread's join followed to the sleeper (issue 12).
      assert.ok(
        d.findings.some((f) => f.kind === 'sleep' || (f.kind === 'join-wait' && /sleeps in time\.sleep/.test(f.title))),
        JSON.stringify(d.findings.map((f) => f.title)),
      );
    });
  });
}

describe("gdb backend: frame objects (Snag's own reader)", () => {
  it('gives the same Python frames in the same places as py-bt', async (t) => {
    const gdb = requireTool(t, 'gdb', 'bash scripts/setup.sh core');
    if (!gdb) return;
    const prog = await start(t, PYTHON, 'gc_finalizer_c.py', ['--heartbeat']);
    const pyBt = await dumpWithGdb(prog.pid, gdb, { reader: 'py-bt' });
    const own = await dumpWithGdb(prog.pid, gdb, { reader: 'frame-objects' });
    assert.equal(own.method, 'frame-objects', own.notes?.join('\n'));
    assert.deepEqual(sketch(thread(own, 'MainThread')), sketch(thread(pyBt, 'MainThread')));
    await ticksAdvance(prog, lastTick(prog));
  });

  for (const interp of INTERPRETERS) {
    it(`deadlock under ${interp.label}: the lock lines, the threads' names, the deadlock`, async (t) => {
      const gdb = requireTool(t, 'gdb', 'bash scripts/setup.sh core');
      const python = interp.python(t);
      if (!gdb || !python) return;
      const prog = await start(t, python, 'deadlock.py');
      const d = await dumpWithGdb(prog.pid, gdb, { reader: 'frame-objects' });
      assert.equal(d.method, 'frame-objects');
      const at = (name: string) => thread(d, name).frames.find((f) => f.isUserCode)?.line;
      assert.equal(at('worker-a'), hangLine('deadlock.py', 'a-waits-b'));
      assert.equal(at('worker-b'), hangLine('deadlock.py', 'b-waits-a'));
      assert.equal(at('MainThread'), hangLine('deadlock.py', 'join'));
      assert.deepEqual(d.findings.map((f) => f.kind).sort(), ['deadlock', 'deadlock', 'join-wait']);
      assert.match(d.notes!.join('\n'), /frame objects/);
    });
  }
});

describe('gdb backend: virtual environments', () => {
  for (const copies of [false, true]) {
    it(`a venv${copies ? ' with copied binaries (--copies)' : ''}: the base interpreter's extension is found`, async (t) => {
      const gdb = requireTool(t, 'gdb', 'bash scripts/setup.sh core');
      if (!gdb) return;
      const dir = mkdtempSync(join(tmpdir(), 'snag-gdb-venv-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      await run([PYTHON, '-m', 'venv', '--without-pip', ...(copies ? ['--copies'] : []), join(dir, 'venv')], { timeoutMs: 120_000 });
      const prog = await start(t, join(dir, 'venv', 'bin', 'python'), 'deadlock.py');
      const d = await dumpWithGdb(prog.pid, gdb);
      assert.equal(d.method, 'py-bt', d.notes?.join('\n'));
      assert.ok(sketch(thread(d, 'worker-a')).includes(`transfer_a_to_b@deadlock.py:${hangLine('deadlock.py', 'a-waits-b')}`));
    });
  }
});

describe('gdb backend: CLI', () => {
  it('snag dump <pid> --backend gdb --json: the libc frame and the Python frame with its line, in order', async (t) => {
    const gdb = requireTool(t, 'gdb', 'bash scripts/setup.sh core');
    if (!gdb) return;
    ensureBuilt();
    const prog = await start(t, PYTHON, 'gc_finalizer_c.py', ['--heartbeat']);
    const r = await runCli(['dump', String(prog.pid), '--backend', 'gdb', '--gdb', gdb, '--json', '--root', PROGRAMS]);
    assert.equal(r.code, 0, r.stderr);
    const d = JSON.parse(r.stdout) as {
      backend: string;
      method: string;
      threads: { name: string; frames: { function: string; native: boolean; line: number; module?: string }[] }[];
    };
    assert.equal(d.backend, 'gdb');
    assert.equal(d.method, 'py-bt');
    const frames = d.threads.find((x) => x.name === 'MainThread')!.frames;
    const libc = frames.findIndex((f) => f.native && /(^|_)pause$/.test(f.function) && f.module === 'libc.so.6');
    const del = frames.findIndex((f) => !f.native && f.function.endsWith('__del__'));
    assert.ok(libc === 0 && del > libc, JSON.stringify(frames.slice(0, 12)));
    assert.equal(frames[del]!.line, hangLine('gc_finalizer_c.py', 'finalizer'));
    await ticksAdvance(prog, lastTick(prog));
  });

  it('snag dump --backend lldb is refused', async () => {
    ensureBuilt();
    const r = await runCli(['dump', '1', '--backend', 'lldb']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--backend expects auto, py-spy or gdb/);
  });
});
