// Containers on an ssh host: the Docker target composed over the SSH target, so every docker
// call (ps, inspect, top, exec) and the host-side py-spy run on the host through the one ssh
// connection. A real sshd and a real Docker engine; the "host" is this machine reached over ssh.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { PySpyBackend } from '../../src/core/backends/pyspy';
import { dumpProcess } from '../../src/core/pipeline/dumpProcess';
import type { RunOptions } from '../../src/core/run';
import { SourceMapper } from '../../src/core/mapping/sourceMap';
import { ContainerEngine } from '../../src/core/targets/containerEngine';
import { ContainerTarget } from '../../src/core/targets/docker';
import { SshTarget } from '../../src/core/targets/ssh';
import type { Runner } from '../../src/core/runner';
import type { Target } from '../../src/core/targets/target';
import { requireDocker, runProgramContainer, startDockerEngine } from '../support/dockerEngine';
import { hangLine, PROGRAMS, processState } from '../support/programs';
import { startSshd } from '../support/sshd';
import { requireTool } from '../support/tools';

const PROGRAM = 'socket_recv.py';

/**
 * The ssh host, with DOCKER_HOST set for the commands run there: the test's engine may be a
 * private daemon on its own socket (a real host's docker uses its default socket and needs none).
 */
function hostWithDockerHost(ssh: SshTarget, dockerHost: string): Target {
  const runner: Runner = {
    run: (argv, opts: RunOptions = {}) => ssh.runner.run(argv, { ...opts, env: { DOCKER_HOST: dockerHost, ...opts.env } }),
    wrap: (argv) => ssh.runner.wrap(['env', `DOCKER_HOST=${dockerHost}`, ...argv]),
  };
  return { ref: ssh.ref, runner, listProcesses: (o) => ssh.listProcesses(o), locatePySpy: (s) => ssh.locatePySpy(s) };
}

test('containers on an ssh host', { timeout: 600_000 }, async (t) => {
  const pyspy = requireTool(t, 'py-spy', 'bash scripts/setup.sh core');
  if (!pyspy) return;
  const sshd = await startSshd(t);
  if (!sshd) return;
  const engineOrReason = await startDockerEngine();
  const docker = requireDocker(t, engineOrReason);
  if (!docker) return;
  t.after(() => docker.stop());
  const container = await runProgramContainer(docker, PROGRAM);
  t.after(() => container.remove());

  const ssh = new SshTarget({ host: sshd.host, configFile: sshd.clientConfig, controlDir: join(sshd.dir, 'ctl'), pyspyPath: pyspy });
  t.after(() => ssh.runner.close());
  const engine = new ContainerEngine('docker', hostWithDockerHost(ssh, docker.dockerHost));

  await t.test("lists the host's containers and a container's Python process over ssh", async () => {
    assert.equal(engine.id, `docker@ssh:${sshd.host}`);
    const containers = await engine.listContainers();
    const c = containers.find((x) => x.id === container.id);
    assert.ok(c, `container ${container.name} not in ${containers.map((x) => x.name).join(', ')}`);
    const target = new ContainerTarget(engine, c);
    assert.equal(target.ref.parent?.kind, 'ssh');
    const procs = await target.listProcesses();
    const p = procs.find((x) => x.command.includes(PROGRAM));
    assert.ok(p?.isPython, JSON.stringify(procs));
  });

  await t.test('dumps it with py-spy on the host, and maps the container path by suffix', async () => {
    const target = await ContainerTarget.open(engine, container.id);
    const procs = await target.listProcesses();
    const p = procs.find((x) => x.command.includes(PROGRAM))!;
    const d = await dumpProcess({
      target,
      pid: p.pid,
      backend: new PySpyBackend(() => Promise.reject(new Error('the ssh host answers for py-spy'))),
      mapper: new SourceMapper({ workspaceRoots: [PROGRAMS] }),
    });
    const f = d.threads.find((x) => x.name === 'MainThread')?.frames.find((x) => x.function === 'fetch_reply');
    assert.equal(d.method, 'host', 'py-spy ran on the ssh host, on the host PID');
    assert.equal(f?.file, `/app/${PROGRAM}`);
    assert.equal(f?.line, hangLine(PROGRAM, 'recv'));
    assert.equal(f?.localFile, join(PROGRAMS, PROGRAM));
    assert.equal(f?.mapping?.method, 'suffix');
    assert.notEqual(processState(container.hostPid), 'T');
  });
});
