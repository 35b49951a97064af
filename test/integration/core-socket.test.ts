// A Python process stuck in a socket read that never returns, dumped with the real py-spy: in
// process (dumpProcess) and through the built CLI, plain, --native and --locals.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { StackDump } from '../../src/core/model';
import { hangLine, PROGRAMS, startProgram, type Started } from '../support/programs';
import { dumpLocal, ensureBuilt, isOneLine, runCli } from '../support/snag';
import { requireTool } from '../support/tools';

const FIXTURE = join(PROGRAMS, 'socket_recv.py');
const HANG = hangLine('socket_recv.py', 'recv');
/** The wait names the silent server's address (read from the client's socket); how long it has been silent, when `ss` tells. */
const waitsForServer = (rest: string) =>
  new RegExp(`^MainThread waits (\\d+ s )?for 127\\.0\\.0\\.1:\\d+ to answer${rest} at socket_recv\\.py:${HANG} \\(fetch_reply\\)$`);

describe('core: socket read that never returns', () => {
  let prog: Started;
  before(async () => {
    ensureBuilt();
    prog = await startProgram('socket_recv.py');
  });
  after(() => prog?.stop());

  const mainThread = (d: StackDump | { threads: StackDump['threads'] }) => {
    const t = d.threads.find((x) => x.name === 'MainThread');
    assert.ok(t, `no MainThread in ${d.threads.map((x) => x.name).join(', ')}`);
    return t;
  };

  it("MainThread's innermost frame is fetch_reply at the hanging line, mapped to the fixture", async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    const d = await dumpLocal(prog.pid, pyspy);
    assert.equal(d.pid, prog.pid);
    assert.equal(d.backend, 'py-spy');
    assert.deepEqual(d.threads.map((x) => x.name).sort(), ['MainThread', 'silent-server']);
    const main = mainThread(d);
    assert.equal(main.active, false, 'waiting in recv is idle');
    const top = main.frames[0]!;
    assert.equal(top.function, 'fetch_reply');
    assert.equal(top.line, HANG);
    assert.equal(top.localFile, FIXTURE);
    assert.equal(top.isUserCode, true);
    assert.equal(top.origin, 'user');
    assert.equal(top.mapping?.method, 'exists');
    assert.deepEqual(
      main.frames.map((f) => f.function),
      ['fetch_reply', 'main', '<module>'],
    );
    const server = d.threads.find((x) => x.name === 'silent-server')!;
    assert.equal(server.frames.find((f) => f.isUserCode)?.function, 'serve_silently');
    assert.ok(
      server.frames.some((f) => f.origin === 'stdlib' && !f.isUserCode),
      'threading.py frames are library frames',
    );
  });

  it("finds the socket wait at the user's line", async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    const d = await dumpLocal(prog.pid, pyspy);
    assert.deepEqual(
      d.findings.map((f) => f.kind),
      ['socket-wait'],
    );
    // Without native frames the code tells: create_connection() with no timeout, no settimeout() anywhere.
    assert.match(d.findings[0]!.title, waitsForServer(' with no timeout'));
    assert.match(d.findings[0]!.detail!, /Pass a timeout to `socket\.create_connection\(…, timeout=…\)` at socket_recv\.py:\d+\./);
    assert.equal(d.findings[0]!.threadId, mainThread(d).id);
    assert.deepEqual(d.findings[0]!.frame, { file: FIXTURE, line: HANG, localFile: FIXTURE });
  });

  it('--native adds the C frames and proves there is no timeout', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    const d = await dumpLocal(prog.pid, pyspy, { native: true });
    const main = mainThread(d);
    const names = main.frames.map((f) => f.function);
    assert.ok(names.includes('sock_recv'), names.join(' '));
    const fetch = main.frames.findIndex((f) => f.function === 'fetch_reply');
    assert.ok(fetch > 0, 'native frames sit inside the Python caller');
    assert.ok(main.frames.slice(0, fetch).every((f) => f.native && f.origin === 'native' && !f.isUserCode));
    assert.equal(main.frames[fetch]!.localFile, FIXTURE);
    assert.match(d.findings[0]!.title, waitsForServer(' with no timeout'));
  });

  it('--locals reads the arguments', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    const d = await dumpLocal(prog.pid, pyspy, { locals: true });
    const fetch = mainThread(d).frames[0]!;
    assert.equal(fetch.locals?.[0]?.name, 'sock');
    assert.equal(fetch.locals?.[0]?.isArg, true);
    assert.match(fetch.locals?.[0]?.repr ?? '', /socket/);
  });

  it('--nonblocking reads the same stacks without pausing the process', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    const d = await dumpLocal(prog.pid, pyspy, { nonblocking: true });
    assert.equal(mainThread(d).frames[0]!.function, 'fetch_reply');
  });

  it("node dist/cli.js dump <pid> --json: MainThread with the fixture's frame and line and a localFile in the fixture folder", async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    const r = await runCli(['dump', String(prog.pid), '--json', '--pyspy', pyspy]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const d = JSON.parse(r.stdout);
    assert.equal(d.pid, prog.pid);
    assert.equal(d.backend, 'py-spy');
    assert.match(d.pythonVersion, /^3\.\d+$/);
    const main = mainThread(d);
    assert.deepEqual(
      {
        function: main.frames[0].function,
        line: main.frames[0].line,
        localFile: main.frames[0].localFile,
        isUserCode: main.frames[0].isUserCode,
        native: main.frames[0].native,
      },
      { function: 'fetch_reply', line: HANG, localFile: FIXTURE, isUserCode: true, native: false },
    );
    assert.equal(d.findings[0].kind, 'socket-wait');
    for (const th of d.threads) for (const key of ['id', 'name', 'active', 'ownsGil', 'frames']) assert.ok(key in th, `thread field ${key}`);
  });

  it('the CLI finds py-spy through $SNAG_PYSPY too', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    const r = await runCli(['dump', String(prog.pid), '--json', '--root', PROGRAMS], { env: { SNAG_PYSPY: pyspy } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(mainThread(JSON.parse(r.stdout)).frames[0]!.localFile, FIXTURE);
  });

  it("text output marks the user's innermost frame and puts the finding first", async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    const r = await runCli(['dump', String(prog.pid), '--pyspy', pyspy]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(lines[0]!, new RegExp(`^Process ${prog.pid} · py-spy · Python 3\\.\\d+ · 2 threads · `));
    assert.match(lines[1]!.replace(/^warning: /, ''), waitsForServer(' with no timeout'));
    assert.match(lines[1]!, /^warning: /);
    assert.ok(lines.includes(`  ▶ fetch_reply (${FIXTURE}:${HANG})`), r.stdout);
    assert.ok(isOneLine(lines[1]! + '\n'));
  });
});
