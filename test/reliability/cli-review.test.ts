// What an adversarial review of the CLI found, each through the built CLI with real processes and
// fake tools (small sh scripts passed as --pyspy / --gdb): signals that left the target stopped,
// empty profiles that exited 0, paths checked too late or too loosely, options silently ignored,
// thread ids read as processes, run-together sentences, wrong advice, and a dead target reported as
// "0 threads".
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { GDB_SCRIPT_BEGIN, GDB_SCRIPT_END } from '../../src/core/backends/gdbScript';
import { writeOutput } from '../../src/cli/outputFile';
import { SnagError } from '../../src/core/errors';
import { Sampler } from '../../src/core/sampling/sampler';
import type { SampleSource } from '../../src/core/sampling/sampleSource';
import { SamplingSession } from '../../src/core/sampling/samplingSession';
import { processState, PYTHON } from '../support/programs';
import { CLI, ensureBuilt, isOneLine, runCli } from '../support/snag';

const dir = mkdtempSync(join(tmpdir(), 'snag-cli-review-'));
const RAN = join(dir, 'tool-ran');

/** A fake tool: logs its pid to `<path>.pid` and that it ran to RAN, finds `--pid N` as $pid, then runs `body`. */
function fake(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `#!/bin/sh\necho $$ > "${path}.pid"\necho "${name}" >> "${RAN}"\npid=; prev=\nfor a in "$@"; do [ "$prev" = --pid ] && pid=$a; prev=$a; done\n${body}\n`,
  );
  chmodSync(path, 0o755);
  return path;
}
const toolsRan = () => (existsSync(RAN) ? readFileSync(RAN, 'utf8') : '');
const TATTLE_PYSPY = fake('tattle-pyspy', 'exit 1');
const TATTLE_GDB = fake('tattle-gdb', 'exit 1');

function alive(pid: number): boolean {
  const s = processState(pid);
  return s !== undefined && s !== 'Z';
}

async function until(what: string, ok: () => boolean, within: number): Promise<void> {
  const deadline = Date.now() + within;
  while (!ok()) {
    assert.ok(Date.now() < deadline, what);
    await delay(50);
  }
}

/** A sleeping Python program (two threads), ready when it has printed. */
async function sleeper(): Promise<ChildProcess> {
  const p = spawn(
    PYTHON,
    ['-c', 'import threading, time; threading.Thread(target=time.sleep, args=(600,)).start(); print("ready", flush=True); time.sleep(600)'],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  await new Promise<void>((res, rej) => {
    p.stdout!.once('data', () => res());
    p.once('error', rej);
  });
  return p;
}

let target: ChildProcess;
let pid: string;
const extra: ChildProcess[] = [];
before(async () => {
  ensureBuilt();
  target = await sleeper();
  pid = String(target.pid);
});
after(() => {
  target?.kill('SIGKILL');
  for (const p of extra) p.kill('SIGKILL');
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.pid'))) {
    try {
      process.kill(Number(readFileSync(join(dir, f), 'utf8')), 'SIGKILL');
    } catch {
      /* gone, as it should be */
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

/** The failure contract: this exit code, nothing on stdout, one line on stderr matching `message`. */
async function fails(args: string[], code: number, message: RegExp): Promise<string> {
  const r = await runCli(args);
  assert.equal(r.code, code, `snag ${args.join(' ')} → ${r.code}: ${r.stdout}${r.stderr}`);
  assert.equal(r.stdout, '');
  assert.ok(isOneLine(r.stderr), `one line: ${JSON.stringify(r.stderr)}`);
  assert.match(r.stderr, message);
  return r.stderr;
}

describe('cli review: signals (F4)', () => {
  for (const signal of ['SIGHUP', 'SIGQUIT'] as const) {
    it(`${signal} mid-dump: the tool is ended and the target it stopped is resumed`, async () => {
      const hang = fake(`stop-and-hang-${signal}`, 'kill -STOP "$pid"\nsleep 300');
      const cli = spawn(process.execPath, [CLI, 'dump', pid, '--backend', 'py-spy', '--pyspy', hang, '--timeout', '60'], { stdio: ['ignore', 'pipe', 'pipe'] });
      extra.push(cli);
      let stderr = '';
      cli.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
      const exited = new Promise<number | null>((res) => cli.once('exit', (code) => res(code)));
      await until('the fake py-spy never stopped the target', () => processState(target.pid!) === 'T', 10_000);
      cli.kill(signal);
      const code = await Promise.race([exited, delay(5_000).then(() => 'still running' as const)]);
      assert.notEqual(code, 'still running', `the CLI did not end on ${signal}`);
      assert.equal(code, 1, stderr);
      assert.match(stderr, /cancelled/);
      assert.notEqual(processState(target.pid!), 'T', 'the target was left stopped');
      const tool = Number(readFileSync(`${hang}.pid`, 'utf8'));
      await until('the fake py-spy is still running', () => !alive(tool), 3_000);
    });
  }
});

describe('cli review: sampling never ends in an empty profile with exit 0 (F8)', () => {
  it('--duration under a second is refused before any tool runs', async () => {
    rmSync(RAN, { force: true });
    await fails(['sample', pid, '--pyspy', TATTLE_PYSPY, '--duration', '0.001'], 2, /^snag: --duration expects 1 to 86400 seconds, got "0\.001"/);
    assert.equal(toolsRan(), '');
  });

  it('SIGTERM before the first batch: exit 1, "cancelled", no profile', async () => {
    const hang = fake('record-hang', 'sleep 300');
    const cli = spawn(process.execPath, [CLI, 'sample', pid, '--pyspy', hang, '--duration', '10'], { stdio: ['ignore', 'pipe', 'pipe'] });
    extra.push(cli);
    let stdout = '';
    let stderr = '';
    cli.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
    cli.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((res) => cli.once('exit', (code) => res(code)));
    await until('the fake py-spy never started', () => existsSync(`${hang}.pid`), 10_000);
    cli.kill('SIGTERM');
    assert.equal(await exited, 1, stdout + stderr);
    assert.equal(stdout, '');
    assert.match(stderr, /^snag: Sampling of process \d+ cancelled before any sample was taken\.\n$/);
  });

  it('a hung gdb: ends soon after the duration, exit 1, saying the tool did not deliver (not "0 samples")', async () => {
    const hang = fake('gdb-hang', 'sleep 300');
    const started = Date.now();
    await fails(
      ['sample', pid, '--backend', 'gdb', '--gdb', hang, '--duration', '1'],
      1,
      /^snag: Sampling by repeated gdb dumps had not delivered the sample in progress 5 s after its duration ended, so Snag stopped the tool/,
    );
    assert.ok(Date.now() - started < 12_000, `took ${Date.now() - started} ms`);
    const tool = Number(readFileSync(`${hang}.pid`, 'utf8'));
    await until('the hung gdb is still running', () => !alive(tool), 3_000);
  });

  it("a source's failure that comes with a stop is kept, not dropped", async () => {
    const source: SampleSource = {
      method: 'failing',
      async run(_onBatch, signal) {
        await new Promise((res) => signal.addEventListener('abort', res, { once: true }));
        throw new SnagError('tool-failed', 'the tool broke');
      },
    };
    const session = new SamplingSession({ source, sampler: new Sampler({ pid: 1, rateHz: 1, method: 'failing' }) });
    const running = session.start();
    await session.stop();
    await running;
    assert.match(session.failure?.message ?? '', /the tool broke/);
  });
});

describe('cli review: output files (F9)', () => {
  for (const [path, why] of [
    ['/nonexistent/dir/x.json', /the folder \/nonexistent\/dir does not exist/],
    [dir, /that is a folder, not a file/],
  ] as const) {
    it(`--speedscope ${path === dir ? 'a folder' : path} is refused before sampling`, async () => {
      rmSync(RAN, { force: true });
      const err = await fails(['sample', pid, '--pyspy', TATTLE_PYSPY, '--speedscope', path], 2, why);
      assert.doesNotMatch(err, /ENOENT|EISDIR/);
      assert.equal(toolsRan(), '', 'sampling started');
    });
  }

  it('a write that fails anyway is one sentence, not a raw ENOENT', async () => {
    await assert.rejects(
      writeOutput('--speedscope', join(dir, 'gone', 'x.json'), '{}'),
      /^SnagError: Could not write --speedscope .*x\.json: its folder no longer exists\.$/,
    );
  });
});

describe('cli review: configured tool paths (F10, F19)', () => {
  it('--pyspy DIR: said to be a directory, naming --pyspy, and auto does not fall back to gdb', async () => {
    for (const backend of ['py-spy', 'auto']) {
      rmSync(RAN, { force: true });
      const err = await fails(
        ['dump', pid, '--backend', backend, '--pyspy', dir, '--gdb', TATTLE_GDB],
        1,
        /^snag: The configured py-spy path .* is a directory, not a program\. Point --pyspy at the py-spy program, or leave it unset/,
      );
      assert.doesNotMatch(err, /exit code -1|Fix the setting/);
      assert.equal(toolsRan(), '', 'gdb was tried instead');
    }
  });

  it('--gdb DIR and SNAG_PYSPY=missing: named by where they came from', async () => {
    await fails(['dump', pid, '--backend', 'gdb', '--gdb', dir], 1, /^snag: The configured gdb path .* is a directory, not a program\. Point --gdb at/);
    const r = await runCli(['dump', pid, '--backend', 'py-spy'], { env: { ...process.env, SNAG_PYSPY: join(dir, 'missing') } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^snag: The configured py-spy path .*missing does not exist\. Point SNAG_PYSPY at/);
  });
});

describe('cli review: where the process is (F11, F12)', () => {
  it('--container with --ssh is refused, not half ignored (dump, sample, ps)', async () => {
    rmSync(RAN, { force: true });
    const both = /^snag: --(container|docker) and --ssh cannot be combined: .*run snag there/;
    await fails(['dump', '12', '--container', 'a', '--ssh', 'nohost.invalid', '--pyspy', TATTLE_PYSPY], 2, both);
    await fails(['sample', '12', '--container', 'a', '--ssh', 'nohost.invalid', '--pyspy', TATTLE_PYSPY], 2, both);
    await fails(['ps', '--docker', '--ssh', 'nohost.invalid'], 2, both);
    assert.equal(toolsRan(), '');
  });

  it('a thread id is refused, naming its process, before any tool runs (dump and sample)', async () => {
    const tid = readdirSync(`/proc/${pid}/task`).find((t) => t !== pid);
    assert.ok(tid, 'the sleeper has a second thread');
    rmSync(RAN, { force: true });
    for (const cmd of ['dump', 'sample'])
      await fails(
        [cmd, tid, '--pyspy', TATTLE_PYSPY, '--gdb', TATTLE_GDB],
        2,
        new RegExp(`^snag: ${tid} is a thread of process ${pid} \\(python[\\d.]*\\), not a process id: snag ${cmd} ${pid} reads all its threads`),
      );
    assert.equal(toolsRan(), '');
  });
});

describe('cli review: messages (F17-F20)', () => {
  it('a failure and what Snag did about the target are two sentences', async () => {
    const tool = fake('stop-and-fail', 'kill -STOP "$pid"\necho "Error: boom" >&2\nexit 1');
    await fails(
      ['dump', pid, '--backend', 'py-spy', '--pyspy', tool],
      1,
      new RegExp(`^snag: py-spy failed on process ${pid}: boom\\. Process ${pid} was left stopped by py-spy; Snag resumed it`),
    );
    assert.notEqual(processState(target.pid!), 'T');
  });

  it('thread_id 1e400 is "not finite", not "should be a number, is a number"', async () => {
    const tool = fake('pyspy-1e400', `echo '[{"thread_id":1e400,"frames":[]}]'`);
    const err = await fails(['dump', pid, '--backend', 'py-spy', '--pyspy', tool], 1, /thread_id should be a finite number, is not finite/);
    assert.doesNotMatch(err, /is a number/);
  });

  it('--timeout 0.001 advises raising it, not a non-blocking dump', async () => {
    const tool = fake('pyspy-slow', 'sleep 300');
    const err = await fails(
      ['dump', pid, '--backend', 'py-spy', '--pyspy', tool, '--timeout', '0.001'],
      1,
      /too short a timeout.*Raise the timeout \(--timeout\)/,
    );
    assert.doesNotMatch(err, /non-blocking/);
  });

  it('too much output while sampling is told as a recording, not "one dump"', async () => {
    const tool = fake('record-huge', 'yes "x" | head -c 40000000\nexit 0');
    const err = await fails(
      ['sample', pid, '--pyspy', tool, '--duration', '1'],
      1,
      /than Snag's cap of [\d.]+ [KMG]iB for one recording.*sample without native frames/,
    );
    assert.doesNotMatch(err, /one dump|dump without/);
  });

  it("a Python traceback on the tool's stderr gives its exception, not its first line", async () => {
    const tool = fake(
      'pyspy-traceback',
      `printf 'Traceback (most recent call last):\\n  File "/usr/bin/py-spy", line 5, in <module>\\n    main()\\nModuleNotFoundError: No module named py_spy\\n' >&2\nexit 1`,
    );
    await fails(
      ['dump', pid, '--backend', 'py-spy', '--pyspy', tool],
      1,
      /^snag: py-spy failed on process \d+: ModuleNotFoundError: No module named py_spy\n$/,
    );
  });

  it('gdb that printed no stacks says what to check', async () => {
    const gdb = fake('gdb-silent', 'exit 0');
    await fails(
      ['dump', pid, '--backend', 'gdb', '--gdb', gdb],
      1,
      /^snag: gdb printed no stacks for process \d+\. Check that this gdb works and has Python support/,
    );
  });
});

describe('cli review: a target that dies during the dump (F21)', () => {
  it('py-spy kills it and prints []: "exited during the dump", exit 1, not "0 threads"', async () => {
    const victim = await sleeper();
    extra.push(victim);
    const tool = fake('pyspy-killer', 'kill -KILL "$pid"\nwhile kill -0 "$pid" 2>/dev/null; do sleep 0.05; done\necho "[]"');
    await fails(['dump', String(victim.pid), '--backend', 'py-spy', '--pyspy', tool], 1, new RegExp(`^snag: Process ${victim.pid} exited during the dump`));
  });

  it('gdb kills it and reports no threads: the same', async () => {
    const victim = await sleeper();
    extra.push(victim);
    const gdb = fake(
      'gdb-killer',
      `kill -KILL ${victim.pid}\nwhile kill -0 ${victim.pid} 2>/dev/null; do sleep 0.05; done\nprintf '\\n${GDB_SCRIPT_BEGIN}\\n{"version":1,"pid":1,"attached":true,"detached":true,"threads":[]}\\n${GDB_SCRIPT_END}\\n'`,
    );
    await fails(['dump', String(victim.pid), '--backend', 'gdb', '--gdb', gdb], 1, new RegExp(`^snag: Process ${victim.pid} exited during the dump`));
  });
});
