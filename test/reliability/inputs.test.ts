// Hostile input at the CLI's edge: pids that tools read differently (2^32 + a real pid, hex, exponents,
// spaces, signs, leading zeros), empty targets that would quietly mean "this machine", numbers past
// Node's timer range, and option errors. Each is refused with exit code 2 and one line on stderr,
// before any tool runs: stand-in tools record it if they are ever started. Kernel threads and zombies
// are real processes, told for what they are.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PID_LIMIT } from '../../src/core/validate/pid';
import { PYTHON } from '../support/programs';
import { ensureBuilt, isOneLine, runCli } from '../support/snag';
import { requireTool } from '../support/tools';

const dir = mkdtempSync(join(tmpdir(), 'snag-inputs-'));
const RAN = join(dir, 'tool-ran');

/** A stand-in tool that only records that it was started (so a refused input provably ran nothing). */
function tattletale(name: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\necho "${name} $*" >> "${RAN}"\nexit 1\n`);
  chmodSync(path, 0o755);
  return path;
}
const FAKE_PYSPY = tattletale('py-spy');
const FAKE_GDB = tattletale('gdb');
const TOOLS = ['--pyspy', FAKE_PYSPY, '--gdb', FAKE_GDB];

function toolsRan(): string {
  return existsSync(RAN) ? readFileSync(RAN, 'utf8') : '';
}

/** Runs the CLI and checks the usage-error contract: exit 2, nothing on stdout, one line, no tool. */
async function refused(args: string[], message: RegExp): Promise<string> {
  rmSync(RAN, { force: true });
  const r = await runCli(args);
  assert.equal(r.code, 2, `exit code of snag ${args.join(' ')}: ${r.stderr}`);
  assert.equal(r.stdout, '');
  assert.ok(isOneLine(r.stderr), `one line: ${JSON.stringify(r.stderr)}`);
  assert.match(r.stderr, /^snag: /);
  assert.match(r.stderr, message);
  assert.equal(toolsRan(), '', 'a tool was started');
  return r.stderr;
}

let sleeper: ChildProcess;
before(async () => {
  ensureBuilt();
  sleeper = spawn(PYTHON, ['-c', 'import time; print("ready", flush=True); time.sleep(600)'], { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise<void>((res, rej) => {
    sleeper.stdout!.once('data', () => res());
    sleeper.once('error', rej);
  });
});
after(() => {
  sleeper?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('reliability: pids', () => {
  it('2^32 + a real pid is refused, and that real process is never dumped (any backend, dump and sample)', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    const pid = sleeper.pid!;
    const wrapped = String(2 ** 32 + pid);
    for (const args of [
      ['dump', wrapped, '--pyspy', pyspy],
      ['dump', wrapped, '--backend', 'gdb'],
      ['dump', wrapped, '--backend', 'auto', '--pyspy', pyspy, '--json'],
      ['sample', wrapped, '--pyspy', pyspy, '--duration', '1'],
    ]) {
      const r = await runCli(args);
      assert.equal(r.code, 2, `snag ${args.join(' ')} → ${r.code}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stdout, '', 'nothing was dumped');
      assert.doesNotMatch(r.stderr, new RegExp(`Process ${pid}\\b|MainThread|time\\.sleep`));
      assert.match(r.stderr, new RegExp(`needs a process id, got "${wrapped}": .*process ids .*go from 1 to`));
    }
  });

  const forms: Array<[string, RegExp]> = [
    ['0x10', /got "0x10": decimal digits only/],
    [' 12 ', /got " 12 ": it has spaces around it/],
    ['1e3', /got "1e3": decimal digits only/],
    ['0', /got "0": there is no process 0/],
    ['+5', /got "\+5": decimal digits only/],
    ['012', /got "012": write it without leading zeros/],
    ['', /got "": snag ps lists them/],
    ['12.0', /got "12\.0": decimal digits only/],
    [String(PID_LIMIT + 1), /got "4194305": .*go from 1 to \d+/],
    ['99999999999999999999999', /got "9+": .*go from 1 to \d+/],
  ];
  for (const [pid, message] of forms) {
    it(`dump ${JSON.stringify(pid)} is refused before any tool runs`, async () => {
      await refused(['dump', pid, ...TOOLS], new RegExp(`^snag: dump needs a process id, ${message.source}`));
    });
  }

  it('a negative pid after -- is refused too (dump and sample)', async () => {
    await refused(['dump', ...TOOLS, '--', '-1'], /dump needs a process id, got "-1": decimal digits only/);
    await refused(['sample', ...TOOLS, '--', '-1'], /sample needs a process id, got "-1"/);
  });

  it("a pid past this machine's pid_max is refused locally, allowed up to 2^22 for another machine", async () => {
    const max = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
    if (max < PID_LIMIT) await refused(['dump', String(max + 1), ...TOOLS], /kernel\.pid_max/);
    // Over ssh the host's pids count: the range is Linux's, not this machine's (the host is not reached: it does not exist).
    await refused(['dump', String(PID_LIMIT + 1), '--ssh', 'nohost.invalid', ...TOOLS], /Linux process ids go from 1 to 4194304/);
  });
});

describe('reliability: empty targets and values', () => {
  const empties: Array<[string[], string]> = [
    [['dump', '{pid}', '--ssh', ''], '--ssh'],
    [['dump', '{pid}', '--ssh', '   '], '--ssh'],
    [['dump', '{pid}', '--container', ''], '--container'],
    [['dump', '{pid}', '--container', ' \t'], '--container'],
    [['dump', '{pid}', '--engine', ''], '--engine'],
    [['dump', '{pid}', '--map', ''], '--map'],
    [['dump', '{pid}', '--map', '/srv=/x', '--map', ''], '--map'],
    [['dump', '{pid}', '--root', ''], '--root'],
    [['dump', '{pid}', '--backend', ''], '--backend'],
    [['sample', '{pid}', '--ssh', ''], '--ssh'],
    [['sample', '{pid}', '--speedscope', ''], '--speedscope'],
    [['ps', '--ssh', ''], '--ssh'],
    [['ps', '--container', ''], '--container'],
  ];
  for (const [args, flag] of empties) {
    it(`snag ${args.map((a) => (a === '{pid}' ? 'PID' : a.trim() ? a : JSON.stringify(a))).join(' ')} is an error, not a local ${args[0]}`, async () => {
      const argv = args.map((a) => (a === '{pid}' ? String(sleeper.pid) : a));
      await refused([...argv, ...(args[0] === 'ps' ? [] : TOOLS)], new RegExp(`^snag: ${flag} needs a value, got (an empty string|only spaces)`));
    });
  }
});

describe('reliability: container names that are options or no names', () => {
  // An engine CLI would read these as its own options (`--latest` picks a container nobody named).
  for (const name of ['--latest', '-l', '--help', 'a b', 'x;id', '../etc', '\u202eevil', `a${'b'.repeat(300)}`]) {
    for (const cmd of [['dump', '{pid}'], ['ps']]) {
      it(`snag ${cmd.join(' ').replace('{pid}', 'PID')} --container=${JSON.stringify(name).slice(0, 30)} is refused before any engine runs`, async () => {
        const argv = [...cmd.map((a) => (a === '{pid}' ? String(sleeper.pid) : a)), `--container=${name}`, ...(cmd[0] === 'ps' ? [] : TOOLS)];
        await refused(argv, /is not a container name or id: names and ids are letters, digits/);
      });
    }
  }
});

describe('reliability: numbers and option errors', () => {
  const numbers: Array<[string[], RegExp]> = [
    [['dump', '{pid}', '--timeout', '1e9'], /--timeout expects a number of seconds like 20 or 0\.5, at most 3600, got "1e9"/],
    [['dump', '{pid}', '--timeout', '100000'], /--timeout expects .* at most 3600/],
    [['dump', '{pid}', '--timeout', '0x10'], /--timeout expects/],
    [['dump', '{pid}', '--timeout', 'Infinity'], /--timeout expects/],
    [['sample', '{pid}', '--duration', '1e9'], /--duration expects 1 to 86400 seconds, got "1e9"/],
    [['sample', '{pid}', '--duration', '0'], /--duration expects/],
    [['sample', '{pid}', '--rate', '0'], /--rate expects a whole number of samples per second from 1 to 100, got "0"/],
    [['sample', '{pid}', '--rate', '1e2'], /--rate expects a whole number .* from 1 to 100/],
    [['sample', '{pid}', '--rate', '50.5'], /--rate expects a whole number .* got "50\.5"/],
    [['sample', '{pid}', '--stuck-after', '1e9'], /--stuck-after expects/],
    [['ps', '--ssh', 'nohost.invalid', '--connect-timeout', '1e9'], /--connect-timeout expects .* at most 600/],
  ];
  for (const [args, message] of numbers) {
    it(`snag ${args.join(' ').replace('{pid}', 'PID')} is refused`, async () => {
      await refused([...args.map((a) => (a === '{pid}' ? String(sleeper.pid) : a)), ...(args[0] === 'ps' ? [] : TOOLS)], message);
    });
  }

  it("an unknown option keeps Node's hint and points at snag --help", async () => {
    await refused(
      ['dump', '12', '--frobnicate', ...TOOLS],
      /^snag: Unknown option '--frobnicate'\. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- "--frobnicate"'\. Run snag --help for the options\.$/m,
    );
    await refused(['ps', '--bogus'], /^snag: Unknown option '--bogus'\. Run snag --help for the options\.$/m);
  });

  it('a multi-line Node option error stays one line, whole', async () => {
    await refused(
      ['sample', '12', '--stuck-after', '-1', ...TOOLS],
      /argument is ambiguous\. Did you forget to specify the option argument for '--stuck-after'\? To specify an option argument starting with a dash use '--stuck-after=-XYZ'\. Run snag --help/,
    );
  });
});

/** A kernel thread on this machine (pid 2 outside a pid namespace), from the PF_KTHREAD flag. */
function kernelThread(): number | undefined {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const flags = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[6]);
      if (flags & 0x00200000) return Number(name);
    } catch {
      /* gone */
    }
  }
  return undefined;
}

describe('reliability: processes that are not Python processes', () => {
  it('a kernel thread is named as one (py-spy and gdb), not "not running" or "run as root"', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    const gdb = requireTool(t, 'gdb');
    if (!pyspy || !gdb) return;
    const kthread = kernelThread();
    if (kthread === undefined) return t.skip('no kernel thread is visible here (a pid namespace)');
    for (const backend of ['py-spy', 'gdb', 'auto']) {
      const r = await runCli(['dump', String(kthread), '--backend', backend, '--pyspy', pyspy, '--gdb', gdb]);
      assert.equal(r.code, 1);
      assert.ok(isOneLine(r.stderr), r.stderr);
      assert.match(r.stderr, new RegExp(`^snag: Process ${kthread} \\(.+\\) is a kernel thread, not a Python process`));
      assert.doesNotMatch(r.stderr, /is not running|run Snag as/);
    }
  });

  it('a zombie is named as one, in a whole sentence (py-spy and gdb)', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    const gdb = requireTool(t, 'gdb');
    if (!pyspy || !gdb) return;
    // A parent that never reaps its exited child.
    const parent = spawn(PYTHON, ['-c', 'import os, time\npid = os.fork()\nif pid == 0: os._exit(0)\nprint(pid, flush=True)\ntime.sleep(120)'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const zombie = Number(await new Promise<string>((res) => parent.stdout!.once('data', (b: Buffer) => res(b.toString().trim()))));
      for (const backend of ['py-spy', 'gdb']) {
        const r = await runCli(['dump', String(zombie), '--backend', backend, '--pyspy', pyspy, '--gdb', gdb]);
        assert.equal(r.code, 1);
        assert.ok(isOneLine(r.stderr), r.stderr);
        assert.match(
          r.stderr,
          new RegExp(
            `^snag: Process ${zombie} \\(.+\\) is a zombie: it has exited and its parent \\(pid ${parent.pid}\\) has not yet collected its exit status, so there are no stacks to read\\.\\n$`,
          ),
        );
      }
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
