// Frame paths as the process sees them: `python svc/cli.py` with a relative folder on sys.path gives
// frames `lib/jobs.py` (and `svc/cli.py` on Python ≤ 3.8), relative to the process's working
// directory. Two checkouts end the same way (a/lib/jobs.py, b/lib/jobs.py): only the process's cwd
// (/proc/PID/cwd, read through the target) tells which one runs. On this machine, over ssh (the
// workspace a separate copy: suffix search with the resolved path) and in a container (cwd read from
// the host, the path mapped by the bind mount), under several Pythons.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { PySpyBackend } from '../../src/core/backends/pyspy';
import { dumpProcess } from '../../src/core/pipeline/dumpProcess';
import type { Frame, StackDump } from '../../src/core/model';
import { SourceMapper } from '../../src/core/mapping/sourceMap';
import { ContainerEngine } from '../../src/core/targets/containerEngine';
import { ContainerTarget } from '../../src/core/targets/docker';
import { LocalTarget } from '../../src/core/targets/local';
import { SshTarget } from '../../src/core/targets/ssh';
import { requireDocker, runProgramContainer, startDockerEngine } from '../support/dockerEngine';
import { hangLine, PROGRAMS } from '../support/programs';
import { requirePythons } from '../support/pythons';
import { startSshd } from '../support/sshd';
import { requireTool } from '../support/tools';

const base = mkdtempSync(join(tmpdir(), 'snag-relative-'));
after(() => rmSync(base, { recursive: true, force: true }));

/** Two checkouts of the same service: `<root>/a` and `<root>/b`, each with svc/cli.py and lib/jobs.py. */
function checkouts(root: string): void {
  for (const c of ['a', 'b']) {
    mkdirSync(join(root, c, 'svc'), { recursive: true });
    mkdirSync(join(root, c, 'lib'), { recursive: true });
    copyFileSync(join(PROGRAMS, 'relative_cli.py'), join(root, c, 'svc', 'cli.py'));
    copyFileSync(join(PROGRAMS, 'relative_jobs.py'), join(root, c, 'lib', 'jobs.py'));
  }
}

const SLEEP = hangLine('relative_jobs.py', 'sleep');
const CALL = hangLine('relative_cli.py', 'call');

function frame(d: StackDump, fn: string): Frame {
  const f = d.threads[0]?.frames.find((x) => x.function.endsWith(fn));
  assert.ok(f, `no ${fn} in ${JSON.stringify(d.threads.map((t) => t.frames.map((x) => `${x.function}@${x.file}`)))}`);
  return f;
}

/** Starts `python svc/cli.py` in `cwd` through `runner` (detached, streams to `log`) and waits for "ready". */
async function startIn(
  runner: { run(argv: readonly string[], opts?: { timeoutMs?: number }): Promise<{ stdout: string }> },
  python: string,
  cwd: string,
  log: string,
): Promise<{ pid: number; stop(): void }> {
  const { stdout } = await runner.run(
    ['sh', '-c', 'cd "$1" && log=$2 && shift 2 && { nohup "$@" >"$log" 2>&1 </dev/null & echo $!; }', 'sh', cwd, log, python, '-u', 'svc/cli.py'],
    {
      timeoutMs: 30_000,
    },
  );
  const pid = Number(stdout.trim());
  assert.ok(Number.isInteger(pid) && pid > 0, stdout);
  const stop = () => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  };
  const end = Date.now() + 20_000;
  for (;;) {
    const out = (await runner.run(['cat', log], { timeoutMs: 10_000 }).catch(() => ({ stdout: '' }))).stdout;
    if (/^ready\b/m.test(out)) return { pid, stop };
    if (Date.now() > end) {
      stop();
      throw new Error(`svc/cli.py did not print ready: ${out}`);
    }
    await delay(100);
  }
}

test('relative frame paths resolve against the process working directory', { timeout: 600_000 }, async (t) => {
  const pyspy = requireTool(t, 'py-spy', 'bash scripts/setup.sh core');
  if (!pyspy) return;
  const versions = requirePythons(t, ['3.8', '3.10', '3.12', '3.13']);
  if (versions.length === 0) return;
  const run = join(base, 'run');
  checkouts(run);
  const backend = new PySpyBackend(async () => pyspy);

  await t.test('this machine: lib/jobs.py of checkout b, not a (and svc/cli.py on 3.8)', async () => {
    const local = new LocalTarget();
    for (const { version, python } of versions) {
      const p = await startIn(local.runner, python, join(run, 'b'), join(base, `local-${version}.log`));
      try {
        const d = await dumpProcess({ target: local, pid: p.pid, backend, mapper: new SourceMapper({ workspaceRoots: [run] }) });
        const jobs = frame(d, 'wait_for_work');
        assert.equal(jobs.file, 'lib/jobs.py', `${version}: the frame keeps the path as the process reported it`);
        assert.equal(jobs.localFile, join(run, 'b', 'lib', 'jobs.py'), version);
        assert.equal(jobs.mapping?.method, 'exists');
        assert.match(jobs.mapping?.reason ?? '', /relative to the process's working directory/);
        assert.equal(jobs.line, SLEEP);
        const cli = frame(d, 'main');
        assert.equal(cli.localFile, join(run, 'b', 'svc', 'cli.py'), version);
        if (version.startsWith('3.8')) assert.equal(cli.file, 'svc/cli.py', 'Python 3.8 reports the script as run');
        // The finding reads the right file's line.
        assert.equal(d.findings[0]?.kind, 'sleep', version);
        assert.equal(d.findings[0]?.frame?.localFile, join(run, 'b', 'lib', 'jobs.py'));
      } finally {
        p.stop();
      }
    }
  });

  await t.test('ssh: the resolved path picks the workspace copy by suffix (b/lib/jobs.py)', async (st) => {
    const sshd = await startSshd(st);
    if (!sshd) return;
    // The workspace is a separate copy of both checkouts, as a user's would be.
    const workspace = join(base, 'workspace');
    checkouts(workspace);
    const host = new SshTarget({ host: sshd.host, configFile: sshd.clientConfig, controlDir: join(sshd.dir, 'ctl'), pyspyPath: pyspy });
    st.after(async () => {
      await host.dispose();
      await host.runner.close();
    });
    for (const { version, python } of versions.slice(0, 3)) {
      const p = await startIn(host.runner, python, join(run, 'b'), join(base, `ssh-${version}.log`));
      try {
        const d = await dumpProcess({ target: host, pid: p.pid, backend, mapper: new SourceMapper({ workspaceRoots: [workspace] }) });
        const jobs = frame(d, 'wait_for_work');
        assert.equal(jobs.file, 'lib/jobs.py');
        assert.equal(jobs.localFile, join(workspace, 'b', 'lib', 'jobs.py'), version);
        assert.equal(jobs.mapping?.method, 'suffix');
        assert.equal(frame(d, 'main').localFile, join(workspace, 'b', 'svc', 'cli.py'), version);
        assert.equal(frame(d, 'main').line, CALL);
      } finally {
        p.stop();
      }
    }
  });

  await t.test('container: cwd /srv/b, the bind mount maps /srv/b/lib/jobs.py', async (st) => {
    const e = requireDocker(st, await startDockerEngine());
    if (!e) return;
    st.after(() => e.stop());
    const c = await runProgramContainer(e, 'relative_cli.py', { runArgs: ['-v', `${run}:/srv:ro`, '-w', '/srv/b'], command: [e.python, '-u', 'svc/cli.py'] });
    st.after(() => c.remove());
    const engine = new ContainerEngine(e.kind, new LocalTarget());
    const target = await ContainerTarget.open(engine, c.id);
    const procs = await target.listProcesses();
    const pid = procs.find((x) => /svc\/cli\.py/.test(x.command))?.pid;
    assert.ok(pid, JSON.stringify(procs));
    mkdirSync(join(base, 'empty'), { recursive: true });
    const d = await dumpProcess({ target, pid, backend, mapper: new SourceMapper({ workspaceRoots: [join(base, 'empty')] }) });
    const jobs = frame(d, 'wait_for_work');
    assert.equal(jobs.file, 'lib/jobs.py');
    assert.equal(jobs.localFile, join(run, 'b', 'lib', 'jobs.py'));
    assert.equal(jobs.mapping?.method, 'mount');
  });
});
