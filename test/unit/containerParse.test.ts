// Container CLI parsers and the one classifier of engine failures, on recorded real outputs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ProcessInfo } from '../../src/core/model';
import { RunError } from '../../src/core/run';
import { SnagError } from '../../src/core/errors';
import { normaliseState, parseContainerList, parseInspect } from '../../src/core/targets/containerEngine';
import { engineComplaint, engineFailure, type EngineFailure } from '../../src/core/targets/containerErrors';
import { parseGoDuration, parsePodmanTop, recogniseContainerPython } from '../../src/core/targets/containerProcesses';
import { mountRules } from '../../src/core/targets/docker';
import { parsePs } from '../../src/core/targets/psParse';
import { REPO } from '../support/programs';

const recorded = (name: string) => readFileSync(join(REPO, 'test', 'fixtures', 'outputs', name), 'utf8');

describe('docker ps / inspect / top', () => {
  it('lists containers from the one-JSON-per-line format', () => {
    const list = parseContainerList(recorded('docker-ps.txt'));
    assert.deepEqual(
      list.map((c) => [c.name, c.image, c.state, c.status.startsWith('Up ')]),
      [
        ['t3', 'snag-test-python:probe', 'running', true],
        ['t1', 'snag-test-python:probe', 'running', true],
      ],
    );
    assert.equal(list[1]!.id.length, 64);
  });

  it('inspect of a running container: host PID, image id, mounts', () => {
    const d = parseInspect(recorded('docker-inspect-running.json'));
    assert.equal(d.name, 't1');
    assert.equal(d.running, true);
    assert.equal(d.pid, 11683);
    assert.equal(d.image, 'snag-test-python:probe');
    assert.match(d.imageId, /^sha256:[0-9a-f]{64}$/);
    assert.equal(d.pidMode, '');
    assert.deepEqual(d.mounts, [{ type: 'bind', source: '/home/dev/snag/test/fixtures/programs', destination: '/app' }]);
    assert.deepEqual(mountRules(d.mounts), [{ remoteRoot: '/app', localRoot: '/home/dev/snag/test/fixtures/programs' }]);
  });

  it('inspect of an exited container: not running, no PID', () => {
    const d = parseInspect(recorded('docker-inspect-exited.json'));
    assert.equal(d.running, false);
    assert.equal(d.pid, 0);
    assert.equal(d.state, 'exited');
  });

  it('inspect and ps output that is not what an engine prints: one tool-failed line, never a JavaScript error', () => {
    const cases: Array<[string, RegExp]> = [
      ['[]', /names no container/],
      ['null', /the container should be an object, is null/],
      ['{"Id": 7}', /Id should be text, is a number/],
      ['{"Id": ""}', /an empty Id/],
      ['{"Id": "abc", "State": {"Running": true, "Pid": -3}}', /State\.Pid should be a whole number, is -3/],
      ['{"Id": "abc", "Mounts": {"a": 1}}', /Mounts should be a list, is an object/],
      ['{"Id": "abc", "State": "up"}', /State should be an object, is text/],
      ['{"Id": "ab', /breaks off before the end/],
    ];
    for (const [out, message] of cases) {
      assert.throws(
        () => parseInspect(out, 'podman'),
        (e: unknown) => SnagError.is(e, 'tool-failed') && /^podman printed output Snag cannot read: /.test(e.message) && message.test(e.message),
        out,
      );
    }
    assert.throws(
      () => parseContainerList('{"id": "a"\n'),
      (e: unknown) => SnagError.is(e, 'tool-failed'),
    );
    assert.throws(
      () => parseContainerList('{"id": "a"}\n{}x\n'),
      (e: unknown) => SnagError.is(e, 'tool-failed'),
    );
    // Fields of the wrong kind in a ps line are left empty, not shown as "[object Object]".
    assert.deepEqual(parseContainerList('{"id": "a", "name": {"x": 1}, "image": 3, "state": "running"}\n'), [
      { id: 'a', name: '', image: '', state: 'running', status: '' },
    ]);
  });

  it('docker top with the PS columns parses like ps (header skipped), host PIDs', () => {
    const rows = parsePs(recorded('docker-top-init.txt'));
    assert.deepEqual(
      rows.map((r) => [r.pid, r.ppid, r.threads, r.command]),
      [
        [18689, 18669, 1, '/sbin/docker-init -- python3 -u /app/socket_recv.py'],
        [18717, 18689, 2, 'python3 -u /app/socket_recv.py'],
      ],
    );
  });

  it('mount rules keep binds and volumes with a source, drop tmpfs', () => {
    assert.deepEqual(
      mountRules([
        { type: 'bind', source: '/src', destination: '/app' },
        { type: 'volume', source: '/var/lib/docker/volumes/data/_data', destination: '/data' },
        { type: 'tmpfs', destination: '/run' },
      ]),
      [
        { remoteRoot: '/app', localRoot: '/src' },
        { remoteRoot: '/data', localRoot: '/var/lib/docker/volumes/data/_data' },
      ],
    );
  });
});

describe('engine failures', () => {
  const fail = (file: string, argv: string[], exitCode = 1) => {
    const text = recorded(file);
    return new RunError('exit', argv, 'failed', { stderr: text, stdout: '', exitCode });
  };
  const cases: [string, string[], EngineFailure][] = [
    ['docker-err-exec-not-found.txt', ['docker', 'exec', 't1', 'ps'], 'exec-not-found'],
    ['docker-err-exec-format.txt', ['docker', 'exec', 't1', '/notbin'], 'exec-format'],
    ['docker-err-not-running.txt', ['docker', 'exec', 't4', 'true'], 'container-gone'],
    ['docker-err-no-such-container.txt', ['docker', 'exec', 'snag-nope', 'true'], 'container-gone'],
    ['docker-err-sidecar-not-running.txt', ['docker', 'run', '--pid=container:t4'], 'container-gone'],
    ['docker-err-cp-no-dir.txt', ['docker', 'cp', '/x', 't1:/tmp/x'], 'path-missing'],
    ['docker-err-cp-read-only.txt', ['docker', 'cp', '/x', 't1:/tmp/x'], 'read-only'],
    ['docker-err-unreachable.txt', ['docker', 'ps'], 'engine-unreachable'],
    ['docker-err-no-image.txt', ['docker', 'run', 'nope-image:1'], 'image-missing'],
  ];
  for (const [file, argv, want] of cases) {
    it(`${file} → ${want}`, () => assert.equal(engineFailure(fail(file, argv)), want));
  }

  it('the OCI message may come on stdout (docker exec prints it there)', () => {
    const err = new RunError('exit', ['docker', 'exec', 't1', 'ps'], 'failed', {
      stderr: '',
      stdout: recorded('docker-err-exec-not-found.txt'),
      exitCode: 126,
    });
    assert.equal(engineFailure(err), 'exec-not-found');
  });

  it('a missing CLI, and failures that are not the engine’s', () => {
    assert.equal(engineFailure(new RunError('not-found', ['podman', 'ps'], 'podman was not found')), 'cli-not-found');
    assert.equal(engineFailure(new RunError('timed-out', ['docker', 'ps'], 'timed out')), undefined);
    const pyspy = new RunError('exit', ['docker', 'exec', 't1', 'py-spy'], 'failed', { stderr: recorded('pyspy-err-permission.txt'), exitCode: 1 });
    assert.equal(engineFailure(pyspy), undefined, 'py-spy’s own failure is left to its classifier');
  });

  it('engineComplaint drops the daemon prefix and docker’s --help hint', () => {
    assert.equal(engineComplaint(fail('docker-err-no-image.txt', ['docker', 'run'])), 'No such image: nope-image:1');
  });
});

describe('podman top and recognition', () => {
  it('parses podman top descriptors (container and host PID, Go-duration elapsed time)', () => {
    const [p] = parsePodmanTop(recorded('podman-top.txt'));
    assert.deepEqual([p!.pid, p!.hostPid, p!.ppid, p!.user, p!.state, p!.elapsedSeconds, p!.name], [1, 23852, 0, '0', 'S', 21, 'socket_recv.py']);
    assert.equal(p!.command, '/usr/bin/python3.11 -u /app/socket_recv.py');
  });

  it('podman ps: the state template prints the status; it is normalised', () => {
    const [c] = parseContainerList(recorded('podman-ps.txt'));
    assert.deepEqual([c!.name, c!.image, c!.state], ['p1', 'localhost/snag-test-python:3.11-r1', 'running']);
    assert.equal(normaliseState('Exited (0) 3 seconds ago'), 'exited');
    assert.equal(normaliseState('Up 2 hours (Paused)'), 'paused');
  });

  it('podman inspect: host PID, image, mounts', () => {
    const d = parseInspect(recorded('podman-inspect-running.json'));
    assert.deepEqual([d.name, d.running, d.pid > 0, d.image], ['p1', true, true, 'localhost/snag-test-python:3.11-r1']);
    assert.deepEqual(mountRules(d.mounts), [{ remoteRoot: '/app', localRoot: '/home/dev/snag/test/fixtures/programs' }]);
  });

  it('podman failures', () => {
    const fail = (file: string, argv: string[]) => new RunError('exit', argv, 'failed', { stderr: recorded(file), exitCode: 125 });
    assert.equal(engineFailure(fail('podman-err-exec-not-found.txt', ['podman', 'exec', 'p1', 'ps'])), 'exec-not-found');
    assert.equal(engineFailure(fail('podman-err-no-such-container.txt', ['podman', 'exec', 'snag-nope', 'true'])), 'container-gone');
  });

  it('Go durations', () => {
    assert.equal(parseGoDuration('1h2m3.4s'), 3723);
    assert.equal(parseGoDuration('250ms'), 0);
  });

  it('recognises Python by executable, libpython, else the command when nothing is readable', () => {
    const base: ProcessInfo = {
      pid: 1,
      ppid: 0,
      user: 'root',
      state: 'S',
      cpuPercent: 0,
      rssKb: 0,
      threads: 1,
      elapsedSeconds: 0,
      command: '',
      name: '',
      isPython: false,
    };
    const byExe: ProcessInfo = { ...base, command: 'python3 -u /app/w.py' };
    recogniseContainerPython(byExe, { exe: '/usr/local/bin/python3.12' });
    assert.deepEqual([byExe.isPython, byExe.pythonReason, byExe.name], [true, 'executable /usr/local/bin/python3.12', 'w.py']);
    const uwsgi: ProcessInfo = { ...base, command: 'uwsgi --ini app.ini' };
    recogniseContainerPython(uwsgi, { exe: '/usr/bin/uwsgi', libpython: '/usr/lib/libpython3.11.so.1.0' });
    assert.deepEqual([uwsgi.isPython, uwsgi.pythonReason], [true, 'libpython3.11.so.1.0 is loaded']);
    const bash: ProcessInfo = { ...base, command: 'python3 fake' };
    recogniseContainerPython(bash, { exe: '/usr/bin/bash' });
    assert.equal(bash.isPython, false, 'a readable executable wins over the command line');
    const unknown: ProcessInfo = { ...base, command: 'python3 -m worker' };
    recogniseContainerPython(unknown);
    assert.deepEqual([unknown.isPython, unknown.pythonReason], [true, 'command python3']);
  });
});
