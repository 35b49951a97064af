// Local processes: Python recognised from /proc facts, the parent → child tree, dumping a child.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ProcessInfo } from '../../src/core/model';
import { run } from '../../src/core/run';
import { LocalTarget } from '../../src/core/targets/local';
import { PYTHON, startProgram, type Started } from '../support/programs';
import { dumpLocal, ensureBuilt, runCli } from '../support/snag';
import { requireTool } from '../support/tools';

function killPid(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

function readProcStat(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return '';
  }
}

describe('core: local processes', () => {
  let parent: Started;
  let childPid: number;
  let socketProg: Started;
  let sleeper: ChildProcess;
  before(async () => {
    ensureBuilt();
    parent = await startProgram('parent_child.py');
    childPid = Number(/ready (\d+)/.exec(parent.output())![1]);
    socketProg = await startProgram('socket_recv.py');
    sleeper = spawn('sleep', ['300'], { stdio: 'ignore' });
  });
  after(() => {
    killPid(childPid);
    parent?.stop();
    socketProg?.stop();
    killPid(sleeper?.pid);
  });

  it('listProcesses recognises the fixtures as Python and leaves sleep out', async () => {
    const procs = await new LocalTarget().listProcesses();
    const byPid = new Map(procs.map((p) => [p.pid, p]));
    for (const pid of [parent.pid, childPid, socketProg.pid]) {
      const p = byPid.get(pid);
      assert.ok(p, `pid ${pid} listed`);
      assert.equal(p.isPython, true);
      assert.match(p.pythonReason ?? '', /^executable .*python/);
      assert.match(p.exe ?? '', /python/);
    }
    assert.equal(byPid.get(socketProg.pid)!.name, 'socket_recv.py');
    assert.equal(byPid.get(socketProg.pid)!.threads, 2);
    assert.equal(byPid.get(parent.pid)!.name, 'parent_child.py');
    assert.match(byPid.get(childPid)!.name, /^python[\d.]* -c …$/);
    assert.equal(byPid.has(sleeper.pid!), false);
  });

  it('--all lists sleep too, as not Python', async () => {
    const all = await new LocalTarget().listProcesses({ all: true });
    const s = all.find((p) => p.pid === sleeper.pid);
    assert.ok(s, 'sleep is listed with all');
    assert.equal(s.isPython, false);
    assert.equal(s.name, 'sleep');
    assert.equal(s.command, 'sleep 300');
    assert.ok(!all.some((p) => p.pid === process.pid), 'Snag does not list itself');
  });

  it('--all reads from /proc what ps prints, column by column (a zombie and a kernel thread too)', async (t) => {
    // A zombie: a forked child that exited, its parent not collecting it.
    const reaperless = spawn(PYTHON, ['-c', 'import os, time\npid = os.fork()\nif pid == 0: os._exit(0)\nprint(f"ready {pid}", flush=True)\ntime.sleep(300)'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    t.after(() => killPid(reaperless.pid));
    const zombie = await new Promise<number>((resolve, reject) => {
      let out = '';
      reaperless.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /ready (\d+)\n/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      reaperless.once('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    // Wait until the kernel says it is a zombie (the child's exit may still be under way).
    while (!/^\S+ \(.*\) Z/.test(readProcStat(zombie))) await new Promise((r) => setImmediate(r));
    // Kernel threads are visible where this runs in the host's PID namespace (pid 2, kthreadd).
    const kthread = /\(kthreadd\)/.test(readProcStat(2)) ? [2] : [];
    const mine = new Map((await new LocalTarget().listProcesses({ all: true })).map((p) => [p.pid, p]));
    const pids = [...kthread, zombie, sleeper.pid!, socketProg.pid, parent.pid];
    const ps = (await run(['ps', '-ww', '-o', 'pid=,ppid=,user:64=,stat=,nlwp=,etimes=,args=', '-p', pids.join(',')])).stdout;
    const lines = ps.trim().split('\n');
    assert.equal(lines.length, pids.length, ps);
    for (const line of lines) {
      const [, pid, ppid, user, state, threads, etimes, command] = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(\S+)\s+(\d+)\s+(\d+)\s(.*)$/.exec(line)!;
      const p = mine.get(Number(pid));
      assert.ok(p, `pid ${pid} listed`);
      assert.deepEqual(
        { ppid: p.ppid, user: p.user, state: p.state, threads: p.threads, command: p.command },
        { ppid: Number(ppid), user, state, threads: Number(threads), command: command!.trim() },
      );
      assert.ok(Math.abs(p.elapsedSeconds - Number(etimes)) <= 1, `elapsed ${p.elapsedSeconds} vs ps ${etimes}`);
    }
    assert.match(mine.get(zombie)!.command, /^\[python[\d.]*\] <defunct>$/);
    assert.equal(mine.get(zombie)!.isPython, false);
    if (kthread.length) assert.equal(mine.get(2)!.command, '[kthreadd]');
  });

  it('a launcher that embeds libpython (a uwsgi-like binary) is Python because of the library it loads', async (t) => {
    // A copy of the interpreter under a launcher's name: its exe is not called python, but it maps libpython.
    const dir = mkdtempSync(join(tmpdir(), 'snag-launcher-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const real = (await run([PYTHON, '-c', 'import sys; print(sys.executable)'])).stdout.trim();
    const launcher = join(dir, 'uwsgi');
    copyFileSync(real, launcher);
    const prefix = (await run([PYTHON, '-c', 'import sys; print(sys.base_prefix)'])).stdout.trim();
    const child = spawn(launcher, ['-c', 'import time; print("ready", flush=True); time.sleep(300)'], {
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, PYTHONHOME: prefix },
    });
    t.after(() => killPid(child.pid));
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`launcher exited ${code}`)));
    });
    const maps = readFileSync(`/proc/${child.pid}/maps`, 'utf8');
    if (!/libpython/.test(maps)) {
      const msg = `${real} links libpython statically; no embedding binary to test with`;
      if (process.env.CI === 'true') throw new Error(msg);
      t.skip(msg);
      return;
    }
    const p = (await new LocalTarget().listProcesses()).find((x) => x.pid === child.pid);
    assert.ok(p, 'the launcher is listed as Python');
    assert.equal(p.exe, launcher);
    assert.match(p.pythonReason ?? '', /^libpython[\d.]+\.so[\d.]* is loaded$/);
    assert.equal(p.name, 'uwsgi');
  });

  it('snag ps --json shows the child under its parent', async () => {
    const r = await runCli(['ps', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const procs = JSON.parse(r.stdout) as ProcessInfo[];
    const p = procs.find((x) => x.pid === parent.pid);
    const c = procs.find((x) => x.pid === childPid);
    assert.ok(p && c, 'parent and child listed');
    assert.equal(c.ppid, parent.pid);
    assert.equal(c.isPython, true);
    for (const key of ['pid', 'ppid', 'user', 'state', 'cpuPercent', 'rssKb', 'threads', 'elapsedSeconds', 'command', 'name', 'isPython'])
      assert.ok(key in p, `field ${key}`);
  });

  it('snag ps draws the tree', async () => {
    const r = await runCli(['ps']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    const pi = lines.findIndex((l) => l.includes(`pid ${parent.pid} `));
    const ci = lines.findIndex((l) => l.includes(`pid ${childPid} `));
    assert.ok(pi >= 0 && ci > pi, r.stdout);
    const indent = (l: string) => l.search(/[├└]/);
    assert.ok(indent(lines[ci]!) > indent(lines[pi]!), 'the child is indented under the parent');
  });

  it('dumping the child works, and the parent waits for it', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    const child = await dumpLocal(childPid, pyspy, { native: true });
    const main = child.threads.find((x) => x.name === 'MainThread')!;
    const module = main.frames.find((f) => !f.native)!;
    assert.equal(module.function, '<module>');
    assert.equal(module.file, '<string>');
    assert.deepEqual(
      child.findings.map((f) => f.kind),
      ['sleep'],
    );
    const parentDump = await dumpLocal(parent.pid, pyspy);
    assert.deepEqual(
      parentDump.findings.map((f) => f.kind),
      ['join-wait'],
    );
    // The wait is followed into the child (issue 12): both ends named.
    assert.match(parentDump.findings[0]!.title, /^MainThread waits for child \d+ \(python [^)]*\), which .* at <string>:\d+ \(<module>\)$/);
  });
});
