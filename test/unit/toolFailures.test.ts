// The pieces behind clear tool failures: /proc/<pid>/stat read for kernel threads and zombies, the
// ptrace advice for root, a tool's JSON read defensively, signals named, timers clamped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rootPtraceHelp, ptraceHelp } from '../../src/core/backends/ptraceHelp';
import { killedBy, signalName } from '../../src/core/backends/toolFailure';
import { SnagError } from '../../src/core/errors';
import { RunError } from '../../src/core/run';
import { MAX_TIMER_MS, timerMs } from '../../src/core/validate/limits';
import { kindError, parseProcStat } from '../../src/core/targets/processKind';
import { parseToolJson } from '../../src/core/validate/toolJson';

describe('process kinds from /proc/<pid>/stat', () => {
  it('a kernel thread (PF_KTHREAD) is not-python, named', () => {
    const k = parseProcStat('2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 22 0 0');
    assert.deepEqual(k, { name: 'kthreadd', state: 'S', ppid: 0, kernelThread: true });
    const e = kindError(2, k)!;
    assert.equal(e.reason, 'not-python');
    assert.equal(
      e.message,
      'Process 2 (kthreadd) is a kernel thread, not a Python process: it has no Python stacks to read. Pick a Python process (snag ps lists them).',
    );
  });

  it('a zombie, with a name holding ") Z (" and a newline', () => {
    const k = parseProcStat('77 (evil) Z (\nname) Z 70 77 70 0 -1 4227148 217 0 0 0')!;
    assert.equal(k.state, 'Z');
    assert.equal(k.ppid, 70);
    assert.equal(k.kernelThread, false);
    const e = kindError(77, k)!;
    assert.equal(e.reason, 'process-gone');
    assert.ok(!e.message.includes('\n'));
    assert.match(e.message, /is a zombie: it has exited and its parent \(pid 70\) has not yet collected its exit status, so there are no stacks to read\.$/);
  });

  it('an ordinary process or unreadable stat explains nothing', () => {
    assert.equal(kindError(5, parseProcStat('5 (python3) S 1 5 5 0 -1 4194560 0 0')), undefined);
    assert.equal(parseProcStat('garbage'), undefined);
    assert.equal(kindError(5, undefined), undefined);
  });
});

describe('ptrace advice', () => {
  it('not root, or another machine: run as the user or root, allow ptrace', () => {
    assert.match(ptraceHelp('this machine', 1000), /run Snag as the process's user or root/);
    assert.match(ptraceHelp('prod-1', 0), /run Snag as the process's user or root/);
  });

  it('root: Yama 3, a missing SYS_PTRACE, or what else refuses — never "run as root"', () => {
    const all = 'CapEff:\t000001ffffffffff\n';
    const noPtrace = `CapEff:\t${(0x1ffffffffffn & ~(1n << 19n)).toString(16)}\n`;
    assert.match(rootPtraceHelp({ yamaScope: '3\n', status: all }), /already runs as root, but ptrace is disabled .*ptrace_scope=3/);
    assert.match(rootPtraceHelp({ yamaScope: '1\n', status: noPtrace }), /already runs as root but without the SYS_PTRACE capability .*--cap-add SYS_PTRACE/);
    const other = rootPtraceHelp({ status: all });
    assert.match(other, /another debugger may be tracing the process/);
    for (const s of [other, rootPtraceHelp({ yamaScope: '3', status: all }), rootPtraceHelp({ status: noPtrace })]) assert.doesNotMatch(s, /run Snag as/);
  });
});

describe('a tool JSON read defensively', () => {
  const cases: Array<[string, RegExp]> = [
    ['', /it printed nothing/],
    ['  \n', /it printed nothing/],
    ['[{"a":', /breaks off before the end/],
    ['[1,]', /not valid JSON/],
    ['<html>', /not valid JSON; it starts with "<html>"/],
  ];
  for (const [text, message] of cases) {
    it(`${JSON.stringify(text)} → tool-failed naming the tool`, () => {
      assert.throws(
        () => parseToolJson('py-spy', text),
        (e: unknown) => SnagError.is(e, 'tool-failed') && /^py-spy printed output Snag cannot read: /.test(e.message) && message.test(e.message),
      );
    });
  }
});

describe('signals and timers', () => {
  it('names signals from run() and from a shell exit code', () => {
    assert.equal(signalName(9), 'SIGKILL');
    const viaRun = new RunError('signal', ['py-spy'], 'py-spy was killed by SIGKILL');
    viaRun.signal = 'SIGKILL';
    assert.equal(killedBy(viaRun), 'SIGKILL');
    assert.equal(killedBy(new RunError('exit', ['sh'], 'x', { exitCode: 137, stdout: '[', stderr: '' })), 'SIGKILL');
    assert.equal(killedBy(new RunError('exit', ['sh'], 'x', { exitCode: 1, stdout: '', stderr: '' })), undefined);
  });

  it('timerMs clamps to what setTimeout can hold', () => {
    assert.equal(timerMs(1e12, 5), MAX_TIMER_MS);
    assert.equal(timerMs(-3, 5), 0);
    assert.equal(timerMs(NaN, 5), 5);
    assert.equal(timerMs(undefined, 5), 5);
    assert.equal(timerMs(250, 5), 250);
  });
});
