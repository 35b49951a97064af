// A tool on this machine whose child leaves its process group and session (`setsid`, a double fork
// re-parented to init) still ends with the tool: after a timeout, a Cancel, or the tool's own exit,
// nothing it started is left to stop the target later or keep it traced, and the target runs.
// The fake tools are sh scripts; the targets are real Python programs.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { GdbBackend } from '../../src/core/backends/gdb';
import { PySpyBackend } from '../../src/core/backends/pyspy';
import type { Backend } from '../../src/core/backends/backend';
import { SnagError } from '../../src/core/errors';
import { SourceMapper } from '../../src/core/mapping/sourceMap';
import { dumpProcess } from '../../src/core/pipeline/dumpProcess';
import { LocalTarget } from '../../src/core/targets/local';
import { PROGRAMS, processState, startProgram } from '../support/programs';
import { ensureBuilt, runCli } from '../support/snag';

const dir = mkdtempSync(join(tmpdir(), 'snag-tool-tree-'));
after(() => {
  // Whatever a failing test left running, by the pids the fakes wrote down.
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.pid'))) {
    try {
      process.kill(Number(readFileSync(join(dir, f), 'utf8')), 'SIGKILL');
    } catch {
      /* gone, as it should be */
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A fake tool (sh): finds `--pid N` (py-spy) or `attach N` in gdb's argv, then runs `body`, where
 * `$escapee` is a command line that writes the escaped process's pid to `<name>.escapee.pid`.
 */
function fake(name: string, body: string): { path: string; escapeePidFile: string } {
  const path = join(dir, name);
  const escapeePidFile = `${path}.escapee.pid`;
  writeFileSync(
    path,
    [
      '#!/bin/sh',
      `echo $$ > "${path}.pid"`,
      'pid=; prev=',
      'for a in "$@"; do [ "$prev" = --pid ] && pid=$a; prev=$a; done',
      `escapee='echo $$ > "${escapeePidFile}"'`,
      body,
      '',
    ].join('\n'),
  );
  chmodSync(path, 0o755);
  return { path, escapeePidFile };
}

// A child in its own session (setsid), sleeping; the tool stops the target and hangs.
const SETSID_AND_HANG = fake('setsid-and-hang', 'setsid sh -c "$escapee; exec sleep 300" </dev/null >/dev/null 2>&1 &\nkill -STOP "$pid"\nsleep 300');
// The same child, double-forked: its parent exits at once, so the kernel hands it to init before Snag looks.
const ORPHAN_AND_HANG = fake(
  'orphan-and-hang',
  '( setsid sh -c "$escapee; exec sleep 300" </dev/null >/dev/null 2>&1 & )\nwhile [ ! -s "$0.escapee.pid" ]; do sleep 0.05; done\nkill -STOP "$pid"\nsleep 300',
);
// Exits 0 at once, leaving a setsid child that stops the target a second later.
const SETSID_LATE_STOPPER = fake(
  'setsid-late-stopper',
  'setsid sh -c "$escapee; sleep 1; kill -STOP $pid" </dev/null >/dev/null 2>&1 &\nwhile [ ! -s "$0.escapee.pid" ]; do sleep 0.05; done\necho "[]"\nexit 0',
);

function alive(pid: number): boolean {
  const s = processState(pid);
  return s !== undefined && s !== 'Z';
}

async function escapee(file: string): Promise<number> {
  for (let i = 0; !existsSync(file) || !readFileSync(file, 'utf8').trim(); i++) {
    assert.ok(i < 200, 'the fake tool never started its setsid child');
    await delay(25);
  }
  return Number(readFileSync(file, 'utf8'));
}

/** The escaped child is gone (it is killed before the dump returns; a moment for its parent to reap it). */
async function gone(pid: number): Promise<void> {
  for (let i = 0; alive(pid); i++) {
    assert.ok(i < 40, `process ${pid}, which the tool started with setsid, is still running (state ${processState(pid)})`);
    await delay(50);
  }
}

async function running(pid: number): Promise<void> {
  for (let i = 0; processState(pid) === 'T'; i++) {
    assert.ok(i < 100, `the target ${pid} was left stopped`);
    await delay(50);
  }
  await delay(300);
  assert.notEqual(processState(pid), 'T', `the target ${pid} stopped again`);
  assert.ok(alive(pid), 'the target is gone');
}

function dump(pid: number, backend: Backend, timeoutMs: number, signal?: AbortSignal) {
  return dumpProcess({ target: new LocalTarget(), pid, backend, mapper: new SourceMapper({ workspaceRoots: [PROGRAMS] }), timeoutMs, signal });
}

async function sleeper(t: TestContext) {
  const p = await startProgram('sleeping_thread.py');
  t.after(() => p.stop());
  return p;
}

describe('a local tool whose child left its session (setsid)', () => {
  it('py-spy times out: the setsid child is ended and the target runs', async (t) => {
    const p = await sleeper(t);
    await assert.rejects(dump(p.pid, new PySpyBackend(async () => SETSID_AND_HANG.path), 1500), (err: unknown) => SnagError.is(err, 'timed-out'));
    await gone(await escapee(SETSID_AND_HANG.escapeePidFile));
    await running(p.pid);
  });

  it('py-spy is cancelled: the same', async (t) => {
    const p = await sleeper(t);
    const tool = fake('setsid-and-hang-cancel', 'setsid sh -c "$escapee; exec sleep 300" </dev/null >/dev/null 2>&1 &\nkill -STOP "$pid"\nsleep 300');
    const controller = new AbortController();
    const dumping = dump(p.pid, new PySpyBackend(async () => tool.path), 60_000, controller.signal);
    const child = await escapee(tool.escapeePidFile);
    for (let i = 0; processState(p.pid) !== 'T'; i++) {
      assert.ok(i < 200, 'the fake tool never stopped the target');
      await delay(25);
    }
    controller.abort();
    await assert.rejects(dumping, (err: unknown) => SnagError.is(err, 'cancelled'));
    await gone(child);
    await running(p.pid);
  });

  it('the child was double-forked to init before the timeout: found by the run mark and ended', async (t) => {
    const p = await sleeper(t);
    const child = dump(p.pid, new PySpyBackend(async () => ORPHAN_AND_HANG.path), 1500);
    const pid = await escapee(ORPHAN_AND_HANG.escapeePidFile);
    // Re-parented: no longer the tool's child, nor in its group or session.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [ppid, pgrp, session] = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .slice(1, 4);
    const tool = readFileSync(`${ORPHAN_AND_HANG.path}.pid`, 'utf8').trim();
    assert.ok(![ppid, pgrp, session].includes(tool), `the child is still linked to the tool: ${stat}`);
    await assert.rejects(child, (err: unknown) => SnagError.is(err, 'timed-out'));
    await gone(pid);
    await running(p.pid);
  });

  it('the tool exits 0 and its setsid child would stop the target a second later: ended with the tool', async (t) => {
    const p = await sleeper(t);
    await dump(p.pid, new PySpyBackend(async () => SETSID_LATE_STOPPER.path), 20_000);
    await gone(await escapee(SETSID_LATE_STOPPER.escapeePidFile));
    await delay(1500);
    assert.notEqual(processState(p.pid), 'T', 'stopped by the setsid child the tool left');
  });

  it('gdb times out: its setsid child is ended too', async (t) => {
    const p = await sleeper(t);
    const gdb = fake('gdb-setsid-and-hang', 'setsid sh -c "$escapee; exec sleep 300" </dev/null >/dev/null 2>&1 &\nsleep 300');
    await assert.rejects(dump(p.pid, new GdbBackend(async () => gdb.path), 1500), (err: unknown) => SnagError.is(err, 'timed-out'));
    await gone(await escapee(gdb.escapeePidFile));
    await running(p.pid);
  });

  it('through the CLI (--pyspy, --timeout): ended, exit 1 "timed out", the target runs', async (t) => {
    ensureBuilt();
    const p = await sleeper(t);
    const tool = fake('cli-setsid-and-hang', 'setsid sh -c "$escapee; exec sleep 300" </dev/null >/dev/null 2>&1 &\nkill -STOP "$pid"\nsleep 300');
    const r = await runCli(['dump', String(p.pid), '--backend', 'py-spy', '--pyspy', tool.path, '--timeout', '1.5']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /did not finish reading process \d+ in time/);
    await gone(await escapee(tool.escapeePidFile));
    await running(p.pid);
  });
});
