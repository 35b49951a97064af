// The first-run checks: py-spy found, the kernel's ptrace_scope, CAP_SYS_PTRACE for containers, as
// green or red walkthrough steps; and the walkthrough's steps and media as package.json lists them.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { hasSysPtrace, judgeSetup, readSetupFacts, type SetupFacts } from '../../src/core/setup/setupChecks';
import { REPO } from '../support/programs';
import { which } from '../support/tools';

/** CapEff of a root process in a default container (docker's default set, without SYS_PTRACE) and with it. */
const DOCKER_DEFAULT = '00000000a80425fb';
const WITH_SYS_PTRACE = '00000000a80c25fb';
const facts = (o: Partial<SetupFacts>): SetupFacts => ({ uid: 1000, capEff: '0000000000000000', pyspy: { path: '/usr/bin/py-spy' }, ...o });
const byId = (f: SetupFacts) => Object.fromEntries(judgeSetup(f).map((c) => [c.id, c]));

describe('setup checks', () => {
  it('reads CAP_SYS_PTRACE (bit 19) from CapEff', () => {
    assert.equal(hasSysPtrace('000001ffffffffff'), true, 'root on a host: every capability');
    assert.equal(hasSysPtrace(DOCKER_DEFAULT), false);
    assert.equal(hasSysPtrace(WITH_SYS_PTRACE), true);
    assert.equal(hasSysPtrace('0000000000000000'), false);
    assert.equal(hasSysPtrace(undefined), false);
    assert.equal(hasSysPtrace('not hex'), false);
  });

  it('ptrace_scope: 0 and no Yama are green; 1 and 2 red unless Snag holds CAP_SYS_PTRACE; 3 always red', () => {
    assert.equal(byId(facts({ ptraceScope: '0' })).ptrace!.ok, true);
    assert.equal(byId(facts({ ptraceScope: undefined })).ptrace!.ok, true);
    const one = byId(facts({ ptraceScope: '1' })).ptrace!;
    assert.equal(one.ok, false);
    assert.match(one.title, /only to its own children/);
    assert.match(one.fix ?? '', /sudo sysctl kernel\.yama\.ptrace_scope=0/);
    assert.equal(byId(facts({ ptraceScope: '1', capEff: WITH_SYS_PTRACE })).ptrace!.ok, true);
    assert.equal(byId(facts({ ptraceScope: '2' })).ptrace!.ok, false);
    assert.equal(byId(facts({ ptraceScope: '2', capEff: '000001ffffffffff', uid: 0 })).ptrace!.ok, true);
    const three = byId(facts({ ptraceScope: '3', capEff: '000001ffffffffff', uid: 0 })).ptrace!;
    assert.equal(three.ok, false);
    assert.match(three.fix ?? '', /Reboot/);
    assert.equal(byId(facts({ ptraceScope: '7' })).ptrace!.ok, false);
  });

  it('containers: green with CAP_SYS_PTRACE, red with the ways around it otherwise', () => {
    assert.match(byId(facts({ capEff: '000001ffffffffff', uid: 0 }))['sys-ptrace']!.title, /holds CAP_SYS_PTRACE \(root\)/);
    const red = byId(facts({ capEff: DOCKER_DEFAULT, uid: 0 }))['sys-ptrace']!;
    assert.equal(red.ok, false);
    assert.match(red.fix ?? '', /--cap-add SYS_PTRACE/);
    assert.match(red.fix ?? '', /sidecar/);
  });

  it('py-spy: where it was found, or why not and how to install it', () => {
    assert.deepEqual(byId(facts({})).pyspy, { id: 'pyspy', ok: true, title: 'py-spy found at /usr/bin/py-spy.' });
    const missing = byId(facts({ pyspy: { missing: 'py-spy was not found on PATH.' } })).pyspy!;
    assert.equal(missing.ok, false);
    assert.match(missing.fix ?? '', /^py-spy was not found on PATH\. Install it with `pip install py-spy`/);
  });

  it('reads this machine: its own CapEff and ptrace_scope, and finds the py-spy the tests use', async () => {
    const pyspy = which('py-spy');
    const f = await readSetupFacts(pyspy ? { extraDirs: [join(pyspy, '..')] } : {});
    const status = readFileSync('/proc/self/status', 'utf8');
    assert.equal(f.capEff, /^CapEff:\s*([0-9a-f]+)$/im.exec(status)![1]);
    const scope = existsSync('/proc/sys/kernel/yama/ptrace_scope') ? readFileSync('/proc/sys/kernel/yama/ptrace_scope', 'utf8').trim() : undefined;
    assert.equal(f.ptraceScope, scope);
    assert.equal(f.uid, process.getuid!());
    if (pyspy) assert.deepEqual(f.pyspy, { path: pyspy });
    else assert.ok('missing' in f.pyspy);
    assert.deepEqual(
      judgeSetup(f).map((c) => c.id),
      ['pyspy', 'ptrace', 'sys-ptrace'],
    );
  });
});

describe('the first-run walkthrough', () => {
  interface Step {
    id: string;
    media: { markdown?: string };
    completionEvents?: string[];
    when?: string;
  }
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
    contributes: { walkthroughs: { id: string; steps: Step[] }[]; commands: { command: string }[] };
  };
  const [walkthrough] = pkg.contributes.walkthroughs;

  it('covers finding, dumping, reading, sampling, remote targets and the checks, each with its markdown', () => {
    assert.ok(walkthrough);
    assert.deepEqual(
      walkthrough.steps.map((s) => s.id),
      ['find', 'dump', 'finding', 'sample', 'remote', 'pyspy', 'pyspyFailed', 'ptrace', 'ptraceFailed', 'sysPtrace', 'sysPtraceFailed'],
    );
    for (const s of walkthrough.steps) assert.ok(s.media.markdown && existsSync(join(REPO, s.media.markdown)), `${s.id}: ${s.media.markdown}`);
  });

  it('the progress steps tick when the user has done them: a context key the extension sets where the action runs', () => {
    for (const [id, key] of [
      ['find', 'found'],
      ['dump', 'dumped'],
      ['finding', 'openedFrame'],
      ['sample', 'sampled'],
    ] as const) {
      const step = walkthrough!.steps.find((s) => s.id === id)!;
      // Either of the two values the key takes in turn (see walkthroughProgress.ts).
      for (const value of ['tick', 'tock'])
        assert.ok(step.completionEvents?.includes(`onContext:snag.walkthrough.${key} == ${value}`), `${id}: ${JSON.stringify(step.completionEvents)}`);
    }
    const progress = readFileSync(join(REPO, 'src', 'extension', 'walkthroughProgress.ts'), 'utf8');
    for (const key of ['found', 'dumped', 'openedFrame', 'sampled']) assert.match(progress, new RegExp(`'${key}'`), `walkthroughProgress.ts sets ${key}`);
  });

  it('each check is a green step that completes when the check passed, and a red one shown when it failed', () => {
    for (const [id, key] of [
      ['pyspy', 'snag.setup.pyspy'],
      ['ptrace', 'snag.setup.ptrace'],
      ['sysPtrace', 'snag.setup.sysPtrace'],
    ] as const) {
      const green = walkthrough!.steps.find((s) => s.id === id)!;
      const red = walkthrough!.steps.find((s) => s.id === `${id}Failed`)!;
      assert.deepEqual(green.completionEvents, [`onContext:${key} == ok`]);
      assert.equal(green.when, `${key} != failed`);
      assert.equal(red.when, `${key} == failed`);
      // VS Code keeps a step's completion: a red step that completed while hidden (the check green)
      // would show a checkmark once the check fails. Its one event never fires.
      assert.deepEqual(red.completionEvents, ['onContext:false']);
    }
    const commands = new Set(pkg.contributes.commands.map((c) => c.command));
    const linked = JSON.stringify(walkthrough).match(/command:snag\.[\w.]+/g) ?? [];
    for (const l of linked) {
      const id = l.slice('command:'.length);
      assert.ok(commands.has(id) || id === 'snag.processes.focus', `${id} is linked but not contributed`);
    }
  });
});
