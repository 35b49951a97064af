// Services at rest are not stuck, on real programs under two pyenv Pythons: a main thread waiting
// for a stop Event its own signal handler sets (workers idle on a Condition) is said to be at rest
// in a dump and idle in sampling; a main thread serving (socketserver's serve_forever, an asyncio
// server's idle loop) samples as idle, not stuck.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { PySpyBackend } from '../../src/core/backends/pyspy';
import { GdbBackend } from '../../src/core/backends/gdb';
import { SourceMapper } from '../../src/core/mapping/sourceMap';
import { chooseSampleSource } from '../../src/core/sampling/chooseSource';
import { sampleProcess } from '../../src/core/sampling/sampleProcess';
import { LocalTarget } from '../../src/core/targets/local';
import { hangLine, PROGRAMS, startProgram, type Started } from '../support/programs';
import { requirePythons } from '../support/pythons';
import { dumpLocal } from '../support/snag';
import { requireTool } from '../support/tools';

const MINORS = ['3.8', '3.13'];
const started: Started[] = [];
after(() => {
  for (const p of started) p.stop();
});

async function start(name: string, python: string, args: string[] = []): Promise<Started> {
  const p = await startProgram(name, args, { python, readyTimeoutMs: 30_000 });
  started.push(p);
  return p;
}

async function sample(pid: number, pyspy: string) {
  const target = new LocalTarget();
  const source = chooseSampleSource(target, 'py-spy', new PySpyBackend(async () => pyspy), new GdbBackend(async () => 'gdb'), { pid, rateHz: 20 });
  return sampleProcess({ target, pid, source, mapper: new SourceMapper({ workspaceRoots: [PROGRAMS] }), rateHz: 20, durationMs: 3_000, stuckAfterSeconds: 1 });
}

describe('services at rest', () => {
  it('a main thread waiting for an Event its signal handler sets is at rest (info), in a dump and in sampling', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    const versions = requirePythons(t, MINORS, 2);
    if (!pyspy || versions.length === 0) return;
    const title = `MainThread waits for an Event, which a signal handler (installed at service_signal_stop.py:21) can end: a service at rest`;
    for (const { version, python } of versions) {
      const p = await start('service_signal_stop.py', python);
      const d = await dumpLocal(p.pid, pyspy);
      assert.deepEqual(
        d.findings.map((f) => [f.severity, f.title]),
        [['info', title]],
        version,
      );
      assert.equal(d.findings[0]!.frame?.line, hangLine('service_signal_stop.py', 'stop'));
      assert.match(d.findings[0]!.detail!, /Nothing is stuck if the program is a service waiting to be told to stop/);
      const profile = await sample(p.pid, pyspy);
      const main = profile.threads.find((x) => x.name === 'MainThread');
      assert.equal(main?.status, 'idle', `${version}: ${JSON.stringify(profile.threads)}`);
      assert.ok(!profile.findings?.some((f) => f.severity !== 'info'), version);
      p.stop();
    }
  });

  for (const kind of ['socketserver', 'asyncio'] as const) {
    it(`sampling: a main thread serving (${kind}) is idle, not stuck`, async (t) => {
      const pyspy = requireTool(t, 'py-spy');
      const versions = requirePythons(t, MINORS, 2);
      if (!pyspy || versions.length === 0) return;
      for (const { version, python } of versions) {
        const p = await start('servers_at_rest.py', python, [kind]);
        const profile = await sample(p.pid, pyspy);
        const main = profile.threads.find((x) => x.name === 'MainThread');
        assert.deepEqual(
          [main?.status, main?.wait?.kind, main?.wait?.parked],
          ['idle', kind === 'asyncio' ? 'asyncio-idle' : 'server-idle', true],
          `${version}: ${JSON.stringify(profile.threads)}`,
        );
        p.stop();
      }
    });
  }
});
