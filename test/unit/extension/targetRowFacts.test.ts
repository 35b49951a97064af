// The ssh host and the container engine a Processes-view row or a target stands for are facts they
// carry (Target.sshHost, TargetGroup.sshHost/engine), not read back out of ids or class names.
// The fake vscode must answer before any extension module loads: keep this import first.
import '../../support/fakeVscode';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContainerEngine } from '../../../src/core/targets/containerEngine';
import { ContainerTarget } from '../../../src/core/targets/docker';
import { LocalTarget } from '../../../src/core/targets/local';
import { SshTarget } from '../../../src/core/targets/ssh';
import type { Target } from '../../../src/core/targets/target';
import { engineOfNode } from '../../../src/extension/commands/hideContainerEngine';
import { sshHostOfNode } from '../../../src/extension/commands/sshHostNode';
import { absentEngineGroup, engineGroup, readContainerSettings } from '../../../src/extension/targets/containerTargetProvider';

const container = (engine: ContainerEngine) =>
  new ContainerTarget(engine, { id: 'c0ffee'.repeat(8), name: 'web', image: 'python', state: 'running', status: 'Up' });

describe('Target.sshHost', () => {
  const ssh = new SshTarget({ host: 'prod-1', label: 'Production' });
  it('an ssh host answers its host (not its label); this machine has none', () => {
    assert.equal(ssh.sshHost, 'prod-1');
    const here: Target = new LocalTarget();
    assert.equal(here.sshHost, undefined);
  });
  it("a container answers its engine's machine's: the ssh host under it, or none here", () => {
    assert.equal(container(new ContainerEngine('docker', ssh)).sshHost, 'prod-1');
    assert.equal(container(new ContainerEngine('podman', new LocalTarget())).sshHost, undefined);
  });
});

describe("the rows' own data", () => {
  const ssh = new SshTarget({ host: 'prod-1' });
  it('an engine row says its engine, under an ssh host too, whatever its id', () => {
    const settings = readContainerSettings();
    const here = engineGroup(new ContainerEngine('docker', new LocalTarget()), undefined, undefined, settings);
    const there = engineGroup(new ContainerEngine('podman', ssh), undefined, undefined, settings);
    const absent = absentEngineGroup(new ContainerEngine('podman', ssh), new Error('no daemon'));
    assert.equal(engineOfNode({ kind: 'group', group: here }), 'docker');
    assert.equal(engineOfNode({ kind: 'group', group: there }), 'podman');
    assert.equal(engineOfNode({ kind: 'group', group: absent }), 'podman');
    assert.equal(engineOfNode({ kind: 'group', group: { id: 'containers:docker', label: 'Docker' } }), undefined, 'an id alone says nothing');
    assert.equal(engineOfNode(undefined), undefined);
  });
  it('a host row says its host; other rows, even with an ssh-looking id, none', () => {
    assert.equal(sshHostOfNode({ kind: 'group', group: { id: 'ssh:prod-1', label: 'Production', sshHost: 'prod-1' } }), 'prod-1');
    assert.equal(sshHostOfNode({ kind: 'group', group: { id: 'ssh:prod-1', label: 'prod-1' } }), undefined);
    assert.equal(
      sshHostOfNode({ kind: 'group', group: engineGroup(new ContainerEngine('docker', ssh), undefined, undefined, readContainerSettings()) }),
      undefined,
    );
    assert.equal(sshHostOfNode(undefined), undefined);
  });
});
