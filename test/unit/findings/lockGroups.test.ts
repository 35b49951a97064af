// Many threads waiting alike: one finding for the group, bounded titles, the holder named when the
// code (or py-spy's locals) shows it, and honest when nothing does.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parsePySpyDump } from '../../../src/core/backends/pyspyParse';
import { diagnose } from '../../../src/core/findings/diagnose';
import { TITLE_MAX } from '../../../src/core/findings/groups';
import type { Frame, StackDump } from '../../../src/core/model';
import { SourceMapper } from '../../../src/core/mapping/sourceMap';
import { PROGRAMS, REPO } from '../../support/programs';
import { dump, SourceDir, thread, THREAD_BOOTSTRAP } from './dumpBuilder';

const src = new SourceDir();
after(() => src.remove());

const pool = src.file(
  'pool.py',
  `import threading, socket

work_lock = threading.Lock()

def work():
    with work_lock:  # WAITS
        pass

def serve():
    with work_lock:
        crunch()  # HOLDS

def take():
    work_lock.acquire()
    crunch()  # TOOK

def read(sock):
    return sock.recv(10)  # RECV

def by_arg(lock):
    with lock:  # ARG-WAITS
        pass

def by_other_name(lk):
    with lk:
        crunch()  # ARG-HOLDS

def other():
    with other_lock:  # OTHER
        pass

def grab():
    work_lock.acquire()

def after_grab():
    grab()
    crunch()  # GRABBED

def branch(fast):
    if fast:
        work_lock.acquire()
        return
    crunch()  # BRANCH

def released():
    work_lock.acquire()
    work_lock.release()
    crunch()  # RELEASED

def tried():
    if work_lock.acquire(timeout=1):
        crunch()  # TRIED
`,
);

const workers = (n: number, frame: () => Frame, name = (i: number) => `worker-${i}`) =>
  Array.from({ length: n }, (_, i) => thread(name(i), [frame(), ...THREAD_BOOTSTRAP]));
const withLocals = (f: Frame, locals: Record<string, string>): Frame => ({
  ...f,
  locals: Object.entries(locals).map(([name, repr]) => ({ name, repr, isArg: true })),
});

describe('many threads waiting for one lock', () => {
  it('500 waiters and the holder: one finding naming the lock and the holder, first, title bounded', async () => {
    const main = thread('MainThread', [src.user('serve', pool, 'HOLDS')]);
    const ws = workers(500, () => src.user('work', pool, 'WAITS'));
    const findings = await diagnose(dump(main, ...ws));
    assert.equal(findings.length, 1, findings.map((f) => f.title).join('\n'));
    const [f] = findings;
    assert.equal(f!.kind, 'lock-wait');
    assert.equal(f!.title, '500 threads (worker-0, worker-1, worker-2 and 497 more) wait to acquire work_lock at pool.py:6 (work), held by MainThread');
    assert.ok(f!.title.length <= TITLE_MAX);
    assert.equal(f!.threadId, ws[0]!.id);
    assert.deepEqual(
      f!.threadIds,
      ws.map((t) => t.id),
    );
    assert.match(f!.detail!, /MainThread entered `with work_lock:` at line 10 \(in serve\)/);
    assert.match(f!.detail!, /The 500 threads: worker-0, worker-1, .*worker-19 and 480 more\./);
    assert.equal(f!.frame!.localFile, pool);
  });

  it('a holder that took the lock with acquire() earlier in its function is named', async () => {
    for (const [fn, marker] of [
      ['take', 'TOOK'],
      ['tried', 'TRIED'],
    ] as const) {
      const main = thread('MainThread', [src.user(fn, pool, marker)]);
      const findings = await diagnose(dump(main, ...workers(5, () => src.user('work', pool, 'WAITS'))));
      assert.equal(findings.length, 1, findings.map((f) => f.title).join('\n'));
      assert.match(findings[0]!.title, /^5 threads .* wait to acquire work_lock at pool\.py:6 \(work\), held by MainThread$/);
      assert.match(
        findings[0]!.detail!,
        /MainThread called work_lock\.acquire\(\) at line \d+ \(in (take|tried)\), has not called work_lock\.release\(\) since/,
      );
    }
  });

  it('a holder the code does not show: one finding, no holder named, no "possible deadlock"', async () => {
    // Taken in a call that returned, in a branch not taken, or released since: nothing to name.
    for (const [fn, marker] of [
      ['after_grab', 'GRABBED'],
      ['branch', 'BRANCH'],
      ['released', 'RELEASED'],
    ] as const) {
      const main = thread('MainThread', [src.user(fn, pool, marker)]);
      const ws = workers(500, () => src.user('work', pool, 'WAITS'));
      const findings = await diagnose(dump(main, ...ws));
      assert.deepEqual(
        findings.map((f) => [f.kind, f.title]),
        [['lock-wait', '500 threads (worker-0, worker-1, worker-2 and 497 more) wait to acquire work_lock at pool.py:6 (work)']],
        fn,
      );
      assert.match(findings[0]!.detail!, /Which thread holds work_lock is not visible/);
    }
  });

  it('titles stay bounded with 5,000-character thread names', async () => {
    const main = thread('MainThread', [src.user('serve', pool, 'HOLDS')]);
    const ws = workers(
      500,
      () => src.user('work', pool, 'WAITS'),
      (i) => `${'x'.repeat(5000)}-${i}`,
    );
    const findings = await diagnose(dump(main, ...ws));
    assert.equal(findings.length, 1);
    assert.ok(findings[0]!.title.length <= TITLE_MAX, `${findings[0]!.title.length}`);
    assert.match(findings[0]!.title, /^500 threads .*held by MainThread$/);
    // A lone thread with a long name too (any rule's title).
    const lone = await diagnose(dump(thread('y'.repeat(5000), [src.user('work', pool, 'WAITS')])));
    assert.ok(lone[0]!.title.length <= TITLE_MAX);
  });

  it('two threads waiting for one lock stay two findings', async () => {
    const main = thread('MainThread', [src.user('serve', pool, 'HOLDS')]);
    const findings = await diagnose(dump(main, ...workers(2, () => src.user('work', pool, 'WAITS'))));
    assert.deepEqual(
      findings.map((f) => f.title),
      [
        'worker-0 waits to acquire work_lock at pool.py:6 (work), which MainThread holds at pool.py:11 (serve)',
        'worker-1 waits to acquire work_lock at pool.py:6 (work), which MainThread holds at pool.py:11 (serve)',
      ],
    );
  });

  it('any thread wait is grouped alike: 40 threads in one blocking read', async () => {
    const ws = workers(40, () => src.user('read', pool, 'RECV'));
    const findings = await diagnose(dump(...ws));
    assert.equal(findings.length, 1);
    assert.equal(findings[0]!.kind, 'socket-wait');
    assert.match(findings[0]!.title, /^40 threads \(worker-0, worker-1, worker-2 and 37 more\) wait in .* at pool\.py:18 \(read\)$/);
  });

  it('the group finding comes before other findings of its severity; errors stay first', async () => {
    const main = thread('MainThread', [src.user('serve', pool, 'HOLDS')]);
    const lone = thread('lone', [src.user('other', pool, 'OTHER'), ...THREAD_BOOTSTRAP]);
    const findings = await diagnose(dump(main, lone, ...workers(10, () => src.user('work', pool, 'WAITS'))));
    assert.deepEqual(
      findings.map((f) => f.threadIds?.length ?? 1),
      [10, 1],
    );
  });

  it('different locks nobody visibly holds are a possible deadlock, with a bounded title', async () => {
    const a = workers(300, () => src.user('work', pool, 'WAITS'));
    const b = thread('b', [src.user('other', pool, 'OTHER'), ...THREAD_BOOTSTRAP]);
    const findings = await diagnose(dump(...a, b));
    const possible = findings.find((f) => f.kind === 'deadlock');
    assert.ok(possible, findings.map((f) => f.title).join('\n'));
    assert.ok(possible.title.length <= TITLE_MAX, possible.title);
    assert.match(
      possible.title,
      /^worker-0 waits for work_lock at pool\.py:6 \(work\) while worker-1, worker-2, worker-3 and 297 more also wait for locks: a possible deadlock$/,
    );
  });
});

describe('the holder from py-spy --locals', () => {
  it('one lock under two names (lock, lk) is matched by its address', async () => {
    const addr = '<_thread.lock at 0x7f1d6d87c980>';
    const holder = thread('owner', [withLocals(src.user('by_other_name', pool, 'ARG-HOLDS'), { lk: addr }), ...THREAD_BOOTSTRAP]);
    const ws = workers(3, () => withLocals(src.user('by_arg', pool, 'ARG-WAITS'), { lock: addr }));
    const [f, ...rest] = await diagnose(dump(holder, ...ws));
    assert.deepEqual(rest, []);
    assert.match(f!.title, /^3 threads \(worker-0, worker-1 and worker-2\) wait to acquire lock at pool\.py:21 \(by_arg\), held by owner$/);
  });

  it('one name for two locks (different addresses) is not the holder', async () => {
    const holder = thread('owner', [withLocals(src.user('by_arg', pool, 'ARG-WAITS'), { lock: '<_thread.lock at 0x1111>' }), ...THREAD_BOOTSTRAP]);
    holder.frames[0] = { ...holder.frames[0]!, line: src.line(pool, 'ARG-WAITS') + 1 }; // inside `with lock:`
    const ws = workers(3, () => withLocals(src.user('by_arg', pool, 'ARG-WAITS'), { lock: '<_thread.lock at 0x2222>' }));
    const findings = await diagnose(dump(holder, ...ws));
    const group = findings.find((f) => f.threadIds?.length === 3)!;
    assert.doesNotMatch(group.title, /held by/);
  });
});

describe('a recorded real dump (py-spy --locals of many_waiters.py 5 2)', () => {
  it('one finding for the five workers, MainThread named as the holder', async () => {
    const json = readFileSync(join(REPO, 'test', 'fixtures', 'outputs', 'pyspy-many-waiters-locals.json'), 'utf8');
    const raw: StackDump = { pid: 1, backend: 'py-spy', takenAt: '2026-01-01T00:00:00.000Z', durationMs: 1, threads: parsePySpyDump(json), findings: [] };
    const d = await new SourceMapper({ workspaceRoots: [PROGRAMS] }).mapDump(raw);
    const findings = await diagnose(d);
    assert.equal(findings[0]!.kind, 'lock-wait');
    assert.match(
      findings[0]!.title,
      /^5 threads \(worker-4, worker-3, worker-2 and 2 more\) wait to acquire work_lock at many_waiters\.py:\d+ \(descend\), held by MainThread$/,
    );
    assert.equal(findings[0]!.threadIds!.length, 5);
    assert.equal(findings.filter((f) => f.kind === 'lock-wait').length, 1);
  });
});
