// Tools that misbehave: fake py-spys and gdbs (small sh scripts passed as --pyspy / --gdb) print
// malformed, truncated, oddly shaped or huge output, leave a grandchild holding stdout, die of
// SIGKILL, hang or print hostile stderr. Each outcome is one clear line through the built CLI (never
// a raw JavaScript error), memory stays bounded, and a finished tool's output is never lost. The
// process being "read" is a real sleeping Python program.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { run } from '../../src/core/run';
import { GDB_SCRIPT_BEGIN, GDB_SCRIPT_END } from '../../src/core/backends/gdbScript';
import { DUMP_OUTPUT_MAX_BYTES } from '../../src/core/validate/limits';
import { processState, PYTHON } from '../support/programs';
import { CLI, ensureBuilt, isOneLine, runCli } from '../support/snag';

const dir = mkdtempSync(join(tmpdir(), 'snag-tool-outputs-'));

/** A fake tool: an sh script that logs its own pid to `<path>.pid`, then runs `body`. */
function fake(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\necho $$ > "${path}.pid"\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

/** BEL, ESC or a right-to-left override left raw in a message (the one line's own newline aside). */
const hasControl = (s: string) => [...s.trimEnd()].some((c) => c === '\u0007' || c === '\u001b' || c === '\u202e' || c === '\n');

const THREAD = '{"thread_id":7,"thread_name":"MainThread","active":false,"owns_gil":false,"frames":[{"name":"wait_here","filename":"/srv/app.py","line":3}]}';

let target: ChildProcess;
let pid: string;
before(async () => {
  ensureBuilt();
  target = spawn(PYTHON, ['-c', 'import time; print("ready", flush=True); time.sleep(600)'], { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise<void>((res) => target.stdout!.once('data', () => res()));
  pid = String(target.pid);
});
after(() => {
  target?.kill('SIGKILL');
  // The fakes that could outlive a failed test (each logged its pid): none may be left running.
  for (const f of [join(dir, 'pyspy-hang.pid'), join(dir, 'grandchild.pid')]) {
    try {
      if (existsSync(f)) process.kill(Number(readFileSync(f, 'utf8')), 'SIGKILL');
    } catch {
      /* gone, as it should be */
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

/** `snag dump <target> --backend py-spy --pyspy <tool>`: the failure contract (exit 1, one line). */
async function dumpFails(tool: string, message: RegExp, extra: string[] = []): Promise<string> {
  const r = await runCli(['dump', pid, '--backend', 'py-spy', '--pyspy', tool, ...extra]);
  assert.equal(r.code, 1, `exit code: ${r.stdout}${r.stderr}`);
  assert.equal(r.stdout, '');
  assert.ok(isOneLine(r.stderr), `one line: ${JSON.stringify(r.stderr)}`);
  assert.match(r.stderr, message);
  assert.doesNotMatch(r.stderr, /Unexpected (token|end)|Cannot read properties|is not valid JSON"|SyntaxError|TypeError|undefined/);
  return r.stderr;
}

describe('reliability: malformed py-spy output', () => {
  const cases: Array<[string, string, RegExp]> = [
    [
      'not JSON at all',
      `echo 'Error: the dump went wrong'`,
      /^snag: py-spy printed output Snag cannot read: it is not valid JSON.*; it starts with "Error: the dump went wrong"/,
    ],
    [
      'truncated JSON',
      `printf '[{"thread_id":7,"frames":[{"na'`,
      /^snag: py-spy printed output Snag cannot read: its JSON breaks off before the end \(cut short\)/,
    ],
    ['an object, not a list', `echo '{"threads":[]}'`, /^snag: py-spy printed output Snag cannot read: the dump should be a list, is an object/],
    [
      'a thread without frames',
      `echo '[{"thread_id":7}]'`,
      /^snag: py-spy printed output Snag cannot read: thread 1 of 1: frames should be a list, is missing/,
    ],
    ['a frame without a file', `echo '[{"thread_id":7,"frames":[{"name":"f","line":1}]}]'`, /thread 1 of 1, frame 1: filename should be text, is missing/],
    ['a line that is text', `echo '[{"thread_id":7,"frames":[{"name":"f","filename":"/a.py","line":"12"}]}]'`, /frame 1: line should be a number, is text/],
    ['a thread that is null', `echo '[null]'`, /thread 1 of 1: the thread should be an object, is null/],
    [
      'locals that are not a list',
      `echo '[{"thread_id":7,"frames":[{"name":"f","filename":"/a.py","line":1,"locals":{"x":1}}]}]'`,
      /locals should be a list, is an object/,
    ],
    ['nothing at all, exit 0', 'exit 0', /^snag: py-spy printed output Snag cannot read: it printed nothing/],
    [
      "another process's threads",
      `echo '[{"pid":1,"thread_id":7,"thread_name":"MainThread","active":false,"owns_gil":false,"frames":[{"name":"f","filename":"/a.py","line":1}]}]'`,
      /thread 1 of 1: it is a thread of process 1, not of process \d+ that was asked for/,
    ],
  ];
  for (const [what, body, message] of cases) {
    it(`${what} → one clear tool-failed line`, async () => {
      await dumpFails(fake(`pyspy-${what.replace(/\W+/g, '-')}`, body), message);
    });
  }

  it('hostile bytes in the output are not echoed raw', async () => {
    const err = await dumpFails(fake('pyspy-escape', `printf '\\033]0;owned\\007\\033[2J{{{'`), /it starts with /);
    assert.ok(!hasControl(err), `raw control characters: ${JSON.stringify(err)}`);
  });
});

describe('reliability: a container engine that prints what no engine does', () => {
  // A stand-in `docker` on PATH: it answers `version`, and `inspect` prints the case's output.
  const cases: Array<[string, string, RegExp]> = [
    ['an empty list', '[]', /its inspect output names no container/],
    ['null', 'null', /the container should be an object, is null/],
    ['an Id that is a number', '{"Id": 7}', /Id should be text, is a number/],
    ['half an object', '{"Id": "ab', /breaks off before the end/],
  ];
  for (const [what, output, message] of cases) {
    it(`inspect prints ${what}: one tool-failed line naming the command to try`, async () => {
      const bin = join(dir, `engine-${what.replace(/\W+/g, '-')}`);
      mkdirSync(bin);
      writeFileSync(join(bin, 'docker'), `#!/bin/sh\ncase "$1" in\n  version) echo 27.0.0;;\n  inspect) echo '${output}';;\n  *) exit 0;;\nesac\n`);
      chmodSync(join(bin, 'docker'), 0o755);
      const r = await runCli(['dump', pid, '--container', 'app-1', '--engine', 'docker'], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.equal(r.stdout, '');
      assert.ok(isOneLine(r.stderr), JSON.stringify(r.stderr));
      assert.match(r.stderr, /^snag: docker printed output Snag cannot read: /);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /Run `docker inspect app-1` on this machine to see what it prints\.$/m);
      assert.doesNotMatch(r.stderr, /Unexpected (token|end)|Cannot read properties|SyntaxError|TypeError|undefined/);
    });
  }
});

describe('reliability: huge output', () => {
  it("60 MB of py-spy output: stopped at the cap, said so (not as the tool's stderr), memory bounded", async (t) => {
    // A never-ending thread list, 60 MB of it, with an error line on stderr that must not be the message.
    const big = fake(
      'pyspy-60mb',
      `echo 'Error: output was fine, honest' >&2\nprintf '[{"thread_id":7,"frames":['\nyes '{"name":"f","filename":"/srv/app.py","line":1},' | head -c 62914560\nprintf ']}]'`,
    );
    const rssFile = join(dir, 'rss.txt');
    const preload = join(dir, 'rss.cjs');
    writeFileSync(preload, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));\n`);
    const r = await run([process.execPath, '--require', preload, CLI, 'dump', pid, '--backend', 'py-spy', '--pyspy', big], {
      timeoutMs: 60_000,
      okExitCodes: [0, 1, 2],
    });
    assert.equal(r.exitCode, 1, r.stderr);
    assert.ok(isOneLine(r.stderr), r.stderr);
    const mib = DUMP_OUTPUT_MAX_BYTES / (1024 * 1024);
    assert.match(
      r.stderr,
      new RegExp(
        `^snag: py-spy printed more output for process ${pid} than Snag's cap of ${mib} MiB for one dump, so Snag stopped it\\. .*dump without locals and native frames`,
      ),
    );
    assert.doesNotMatch(r.stderr, /honest|Unexpected end of JSON/);
    const rssMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
    assert.ok(rssMiB < 300, `the CLI peaked at ${Math.round(rssMiB)} MiB`);
    t.diagnostic(`60 MB of py-spy output: the CLI peaked at ${Math.round(rssMiB)} MiB`);
  });
});

describe('reliability: endless output of bytes that need escaping', () => {
  // NULs and ESCs are what a message escapes: the capped output must never be escaped whole into one.
  for (const [what, body] of [
    ['NULs on stdout', 'cat /dev/zero'],
    ['NULs on stderr', 'cat /dev/zero >&2'],
    ['NULs on both', 'cat /dev/zero >&2 & cat /dev/zero'],
    ['ESCs on stdout', `yes "$(printf '\\033')" | tr -d '\\n'`],
  ]) {
    it(`${what}: stopped at the cap within seconds, memory bounded`, async (t) => {
      const tool = fake(`pyspy-flood-${what.replace(/\W+/g, '-')}`, body);
      const rssFile = join(dir, `rss-${what.replace(/\W+/g, '-')}.txt`);
      const preload = join(dir, 'rss-flood.cjs');
      writeFileSync(preload, `process.on('exit', () => require('fs').writeFileSync(process.env.SNAG_RSS_FILE, String(process.resourceUsage().maxRSS)));\n`);
      const r = await run([process.execPath, '--require', preload, CLI, 'dump', pid, '--backend', 'py-spy', '--pyspy', tool], {
        timeoutMs: 60_000,
        okExitCodes: [0, 1, 2],
        env: { SNAG_RSS_FILE: rssFile },
      });
      assert.equal(r.exitCode, 1, r.stderr);
      assert.ok(isOneLine(r.stderr), r.stderr);
      assert.match(r.stderr, /^snag: py-spy printed more output for process \d+ than Snag's cap/);
      const rssMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
      assert.ok(rssMiB < 250, `the CLI peaked at ${Math.round(rssMiB)} MiB`);
      t.diagnostic(`${what}: the CLI peaked at ${Math.round(rssMiB)} MiB in ${r.durationMs} ms`);
    });
  }
});

describe('reliability: tools that end oddly', () => {
  it('a grandchild holding stdout open: the valid output is used once the tool exits', async () => {
    const tool = fake('pyspy-grandchild', `printf '%s' '[${THREAD}]'\nsleep 300 &\necho $! > "${join(dir, 'grandchild.pid')}"\nexit 0`);
    const started = Date.now();
    const r = await runCli(['dump', pid, '--backend', 'py-spy', '--pyspy', tool, '--timeout', '20']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Thread 7 \(idle\): "MainThread"\n\s+(▶ )?wait_here \(.*app\.py:3\)/);
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms (the timeout is 20 s)`);
    const grandchild = Number(readFileSync(join(dir, 'grandchild.pid'), 'utf8'));
    for (let i = 0; processState(grandchild) !== undefined; i++) {
      assert.ok(i < 100, 'the grandchild was left running');
      await delay(50);
    }
  });

  it('py-spy killed by SIGKILL after printing "[" → says so, with a hint', async () => {
    const err = await dumpFails(
      fake('pyspy-sigkill', `printf '['\nkill -KILL $$`),
      /^snag: py-spy was killed by SIGKILL while reading process \d+\. Something outside Snag ended it: the out-of-memory killer/,
    );
    assert.doesNotMatch(err, /failed: \[/);
  });

  it('py-spy killed through a shell (exit 137) → SIGKILL too', async () => {
    await dumpFails(fake('pyspy-137', `printf '[{"pid"'\nexit 137`), /^snag: py-spy was killed by SIGKILL/);
  });

  it('exit 1 with nothing on stderr → says it gave no reason, not the JSON on stdout', async () => {
    await dumpFails(fake('pyspy-silent', `printf '[{"pid":1'\nexit 1`), /^snag: py-spy failed on process \d+: it exited \(exit code 1\) without saying why$/m);
  });

  it('hostile, many-line stderr → its reason in one neutralised line', async () => {
    const err = await dumpFails(
      fake(
        'pyspy-odd-stderr',
        `printf '\\033[2J\\033]0;title\\007Error: Failed to frobnicate\\342\\200\\256 reversed\\nThread 1 (active): "FORGED"\\n' >&2\nexit 1`,
      ),
      /^snag: py-spy failed on process \d+: .*Failed to frobnicate/,
    );
    assert.ok(!hasControl(err), `raw control characters: ${JSON.stringify(err)}`);
    assert.doesNotMatch(err, /FORGED/);
  });

  it('a Rust panic → the panic message, not the backtrace', async () => {
    await dumpFails(
      fake(
        'pyspy-panic',
        `printf "thread 'main' panicked at src/python_spy.rs:42:9:\\nindex out of bounds: the len is 0 but the index is 3\\nstack backtrace:\\n   0: rust_begin_unwind\\nnote: run with RUST_BACKTRACE=1\\n" >&2\nexit 101`,
      ),
      /^snag: py-spy failed on process \d+: index out of bounds: the len is 0 but the index is 3$/m,
    );
  });

  it('a py-spy that hangs past --timeout is ended, and said so', async () => {
    const tool = fake('pyspy-hang', 'exec sleep 300');
    const started = Date.now();
    await dumpFails(tool, /^snag: py-spy did not finish reading process \d+ in time/, ['--timeout', '1']);
    assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
    const hung = Number(readFileSync(`${tool}.pid`, 'utf8'));
    for (let i = 0; processState(hung) !== undefined; i++) {
      assert.ok(i < 100, 'the hung py-spy was left running');
      await delay(50);
    }
  });
});

describe('reliability: misbehaving gdb', () => {
  async function gdbFails(body: string, message: RegExp): Promise<string> {
    const gdb = fake(`gdb-${Math.random().toString(36).slice(2)}`, body);
    const r = await runCli(['dump', pid, '--backend', 'gdb', '--gdb', gdb]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(isOneLine(r.stderr), r.stderr);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /Unexpected (token|end)|Cannot read properties|SyntaxError|TypeError/);
    return r.stderr;
  }

  it('a report that is not JSON → gdb printed output Snag cannot read', async () => {
    await gdbFails(
      `printf '\\n${GDB_SCRIPT_BEGIN}\\n{"pid": 1, oops\\n${GDB_SCRIPT_END}\\n'`,
      /^snag: gdb printed output Snag cannot read: it is not valid JSON/,
    );
  });

  it('a report whose threads are malformed → names the field', async () => {
    await gdbFails(
      `printf '\\n${GDB_SCRIPT_BEGIN}\\n{"version":1,"pid":1,"attached":true,"detached":true,"threads":[{"num":1,"lwp":5,"frames":[{"pc":"0x1"}]}]}\\n${GDB_SCRIPT_END}\\n'`,
      /^snag: gdb printed output Snag cannot read: thread 1: frame 1's function should be text, is missing/,
    );
  });

  it('gdb killed by SIGKILL → says so', async () => {
    await gdbFails('kill -KILL $$', /^snag: gdb was killed by SIGKILL while reading process \d+\./);
  });

  it('a zombie warning across lines → one whole sentence', async () => {
    await gdbFails(
      `printf 'warning: process 7 is a zombie - the process has already terminated\\nptrace: Operation not permitted.\\n' >&2\nexit 1`,
      /^snag: Process \d+ is a zombie: it has exited and its parent has not yet collected its exit status, so there are no stacks to read\.\n$/,
    );
  });

  it('ptrace refused while running as root → advice other than "run as root"', async (t) => {
    if (process.geteuid?.() !== 0) return t.skip('runs as root only');
    const err = await gdbFails(
      `printf 'ptrace: Operation not permitted.\\n' >&2\nexit 1`,
      /^snag: gdb may not attach to process \d+ \(ptrace: Operation not permitted\.\): Snag already runs as root/,
    );
    assert.doesNotMatch(err, /run Snag as the process's user or root/);
  });
});
