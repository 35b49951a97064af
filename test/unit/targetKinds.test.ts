// The kinds of target the CLI offers come from one list (src/core/kinds/registry.ts): its options,
// its help and its choice of where a process lives. A new kind is a descriptor plus one line there.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TARGET_KINDS } from '../../src/core/kinds/registry';
import { containerKind } from '../../src/core/kinds/containerKind';
import { localKind } from '../../src/core/kinds/localKind';
import { sshKind } from '../../src/core/kinds/sshKind';
import { SnagError } from '../../src/core/errors';
import { ContainerEngine } from '../../src/core/targets/containerEngine';
import { ContainerTarget } from '../../src/core/targets/docker';
import { LocalTarget } from '../../src/core/targets/local';
import { kindContext, pickKind, TARGET_PS_OPTIONS, TARGET_READ_OPTIONS, TARGET_USAGE } from '../../src/cli/targetOptions';
import { CORE_USAGE } from '../../src/cli/core';

describe('target kinds: one registry', () => {
  it('ids and options are unique; exactly one kind is the default (picked by no option)', () => {
    const ids = TARGET_KINDS.map((k) => k.id);
    assert.equal(new Set(ids).size, ids.length, ids.join(', '));
    assert.equal(TARGET_KINDS.filter((k) => k.pickedBy.length === 0).length, 1);
    const names = TARGET_KINDS.flatMap((k) => [...Object.keys(k.options), ...Object.keys(k.psOptions ?? {}), ...Object.keys(k.readOptions ?? {})]);
    assert.equal(new Set(names).size, names.length, `an option of two kinds: ${names.join(' ')}`);
    for (const k of TARGET_KINDS) for (const flag of k.pickedBy) assert.ok(flag in TARGET_PS_OPTIONS || flag in TARGET_READ_OPTIONS, `--${flag} of ${k.id}`);
  });

  it('the CLI takes its target options and help from it: --docker for ps only, --strategy for dump and sample', () => {
    assert.ok('docker' in TARGET_PS_OPTIONS && !('docker' in TARGET_READ_OPTIONS));
    assert.ok('strategy' in TARGET_READ_OPTIONS && !('strategy' in TARGET_PS_OPTIONS));
    for (const o of ['container', 'engine', 'ssh', 'ssh-config', 'remote-pyspy', 'copy-pyspy', 'connect-timeout'])
      assert.ok(o in TARGET_PS_OPTIONS && o in TARGET_READ_OPTIONS, o);
    assert.match(TARGET_USAGE.ps, /^ {2}snag ps \[--all\] \[--json\] .*\n {2}snag ps --docker \| --container NAME .*\n.*\n {2}snag ps --ssh HOST /);
    assert.match(TARGET_USAGE.read, /^ {2}--container NAME .*\n.*\n {2}--ssh HOST /);
    // Every kind an option picks, in `snag core`'s one-line usage too: a new kind shows up there without a line of its own.
    assert.equal(
      TARGET_USAGE.pick,
      TARGET_KINDS.filter((k) => k.pickedBy.length > 0)
        .map((k) => k.usage.pick)
        .join(' | '),
    );
    assert.equal(TARGET_USAGE.pick, '--container NAME | --ssh HOST');
    assert.match(CORE_USAGE, /^ {2}snag core <pid> \[--out DIR\] \[--json\] \[--container NAME \| --ssh HOST\] \[--remote-gcore PATH\]\n/);
  });

  it('the options pick the kind; none picks this machine; two kinds are refused by the one that knows why', () => {
    assert.equal(pickKind({}), localKind);
    assert.equal(pickKind({ all: true }), localKind);
    assert.equal(pickKind({ ssh: 'prod-1' }), sshKind);
    assert.equal(pickKind({ container: 'web' }), containerKind);
    assert.equal(pickKind({ docker: true }), containerKind);
    assert.equal(pickKind({ docker: false }), localKind);
    assert.throws(
      () => pickKind({ ssh: 'prod-1', docker: true }),
      (e) =>
        SnagError.is(e, 'bad-input') &&
        e.message ===
          '--docker and --ssh cannot be combined: snag reads the containers of the machine it runs on. To read a container on prod-1, run snag there; or drop one of the two.',
    );
    assert.throws(() => pickKind({ container: 'web', docker: true, ssh: 'h' }), /^SnagError: --container and --ssh cannot be combined/);
  });

  it("a kind's targets say its id; pids are this machine's only for this machine", async () => {
    const ctx = kindContext();
    const local = await localKind.open({}, ctx);
    assert.equal(local.ref.kind, localKind.id);
    assert.ok(localKind.localPids);
    // Made, not connected: nothing runs until the target is used.
    const ssh = await sshKind.open({ ssh: 'prod-1', 'connect-timeout': '2.5' }, ctx);
    assert.equal(ssh.ref.kind, sshKind.id);
    assert.equal(ssh.ref.id, 'ssh:prod-1');
    assert.ok(!sshKind.localPids && !containerKind.localPids);
    await assert.rejects(sshKind.open({ ssh: 'h', 'connect-timeout': '1e3' }, ctx), /--connect-timeout expects a number of seconds/);
    const container = new ContainerTarget(new ContainerEngine('docker', new LocalTarget()), {
      id: 'c0ffee'.repeat(8),
      name: 'web',
      image: 'python',
      state: 'running',
      status: 'Up',
    });
    assert.equal(container.ref.kind, containerKind.id);
  });
});
