// An engine that is merely not there is a hint; one that answered and then stopped is an error.
// The engine's CLI failures are the recorded real ones (docker with no daemon at its socket).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ContainerEngine } from '../../src/core/targets/containerEngine';
import { absentEngineHint, EngineWatch, isEngineAbsence } from '../../src/core/targets/engineState';
import type { Target } from '../../src/core/targets/target';
import { RunError, type RunResult } from '../../src/core/run';
import { REPO } from '../support/programs';

const unreachable = readFileSync(join(REPO, 'test', 'fixtures', 'outputs', 'docker-err-unreachable.txt'), 'utf8');

/** A parent whose `docker version` answers as `answer` says: a version, no daemon, no CLI, or refused. */
function engineOn(answer: () => 'up' | 'down' | 'missing' | 'refused', kind: 'docker' | 'podman' = 'docker'): ContainerEngine {
  const parent = {
    ref: { kind: 'local', id: 'local', label: 'Local' },
    runner: {
      here: true, // this machine, as LocalTarget's runner says
      wrap: (argv: readonly string[]) => [...argv],
      run: async (argv: readonly string[]): Promise<RunResult> => {
        const a = answer();
        if (a === 'up') return { stdout: argv.includes('context') ? 'unix:///run/docker.sock\n' : '24.0.7|default\n', stderr: '', exitCode: 0 } as RunResult;
        if (a === 'missing') throw new RunError('not-found', argv, `${argv[0]}: not found`);
        const stderr = a === 'down' ? unreachable : 'permission denied while trying to connect to the Docker daemon socket at unix:///run/docker.sock';
        throw new RunError('exit', argv, 'exit 1', { stdout: '', stderr, exitCode: 1 });
      },
    },
    listProcesses: async () => [],
  } as unknown as Target;
  return new ContainerEngine(kind, parent);
}

async function probe(engine: ContainerEngine) {
  try {
    return { engine, info: await engine.info() };
  } catch (error) {
    return { engine, error };
  }
}

describe('engine states', () => {
  it('installed with no daemon answering: absent, and the hint names the socket and how to start it', async () => {
    const engine = engineOn(() => 'down');
    const p = await probe(engine);
    assert.ok(isEngineAbsence(p.error));
    assert.equal(new EngineWatch().judge(p), 'absent');
    const hint = absentEngineHint(engine, p.error);
    assert.match(hint, /^Docker is installed but no daemon answers at unix:\/\/\/tmp\/nonexistent\.sock\. /);
    assert.match(hint, /systemctl start docker/);
  });

  it('not installed: absent too (when the engine is named in the setting)', async () => {
    const engine = engineOn(() => 'missing', 'podman');
    const p = await probe(engine);
    assert.equal(new EngineWatch().judge(p), 'absent');
    assert.match(absentEngineHint(engine, p.error), /^Podman is not installed on this machine/);
  });

  it('answered once, then its daemon stopped: an error, not a hint', async () => {
    let state: 'up' | 'down' = 'up';
    const engine = engineOn(() => state);
    const watch = new EngineWatch();
    assert.equal(watch.judge(await probe(engine)), 'ready');
    state = 'down';
    assert.equal(watch.judge(await probe(engine)), 'failed');
    assert.ok(watch.hasAnswered(engine));
    // Another window (a new watch) that never saw it answer: merely absent.
    assert.equal(new EngineWatch().judge(await probe(engine)), 'absent');
  });

  it('a daemon that refuses this user is there: an error', async () => {
    const p = await probe(engineOn(() => 'refused'));
    assert.equal(new EngineWatch().judge(p), 'failed');
  });
});
