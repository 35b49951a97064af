import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  decidePython,
  displayName,
  isPythonExe,
  libpythonFromMaps,
  mightEmbedPython,
  parsePs,
  pythonVersionFromPath,
  type MappedLibraries,
} from '../../src/core/targets/psParse';
import type { ProcessInfo } from '../../src/core/model';
import { REPO } from '../support/programs';

const outputs = join(REPO, 'test', 'fixtures', 'outputs');
const recorded = (name: string) => readFileSync(join(outputs, name), 'utf8');

describe('parsePs on recorded ps output', () => {
  const procs = parsePs(recorded('ps-local.txt'));
  const byPid = new Map(procs.map((p) => [p.pid, p]));

  it('reads every line', () => {
    assert.deepEqual(
      procs.map((p) => p.pid),
      [2, 13492, 13493, 13494, 13495, 13496],
    );
  });

  it('reads every column of a multi-threaded Python process', () => {
    assert.deepEqual(byPid.get(13492), {
      pid: 13492,
      ppid: 13490,
      user: 'root',
      state: 'Sl',
      cpuPercent: 0.5,
      rssKb: 10512,
      threads: 2,
      elapsedSeconds: 2,
      command: '/usr/bin/python3 -u socket_recv.py',
      name: 'socket_recv.py',
      isPython: false, // recognition needs /proc facts, not ps
    });
  });

  it('keeps the whole command line, spaces and all', () => {
    assert.equal(byPid.get(13495)!.command, '/usr/bin/python3 -W ignore -c import time; time.sleep(300)');
    assert.equal(byPid.get(13494)!.command, 'gunicorn: worker [app] 300');
  });

  it('names each process for display', () => {
    assert.deepEqual(
      procs.map((p) => p.name),
      ['[kthreadd]', 'socket_recv.py', 'sleep', 'gunicorn: worker [app]', 'python3 -c …', 'python3.11 -m http.server'],
    );
  });

  it('skips lines that are not processes', () => {
    assert.deepEqual(parsePs('\n  PID  PPID USER\ngarbage line\n'), []);
  });
});

describe('displayName', () => {
  const cases: Array<[string, string | undefined, string]> = [
    ['/usr/bin/python3 -u /srv/app/worker.py --queue high', undefined, 'worker.py'],
    ['python3 -X dev -W error -m celery worker', undefined, 'python3 -m celery'],
    ['python -c import time', undefined, 'python -c …'],
    ['/usr/bin/python3.11', undefined, 'python3.11'],
    ['/opt/venv/bin/gunicorn app:wsgi -w 4', undefined, 'gunicorn'],
    ['gunicorn: master [app:wsgi]', undefined, 'gunicorn: master [app:wsgi]'],
    ['[kworker/0:1-events]', undefined, '[kworker/0:1-events]'],
    // A venv's interpreter is often a symlink named python while exe resolves to python3.11.
    ['/srv/venv/bin/python3.11 serve.py', '/usr/bin/python3.11', 'serve.py'],
    ['', '/usr/bin/sleep', 'sleep'],
  ];
  for (const [command, exe, expected] of cases) {
    it(`${JSON.stringify(command)} → ${expected}`, () => assert.equal(displayName(command, exe), expected));
  }
});

describe('isPythonExe', () => {
  for (const exe of [
    '/usr/bin/python3',
    '/usr/bin/python3.11',
    '/home/me/.pyenv/versions/3.12.1/bin/python3.12',
    'python',
    '/opt/pypy3.10/bin/pypy3.10',
    '/usr/bin/python3.11-dbg',
    '/usr/bin/python3.8m',
    '/usr/bin/python3.11 (deleted)',
  ]) {
    it(`${exe} is Python`, () => assert.equal(isPythonExe(exe), true));
  }
  for (const exe of ['/usr/bin/sleep', '/usr/bin/gdb', '/usr/local/bin/uwsgi', '/usr/bin/python3-config', '/home/me/pythonista', '/usr/bin/ipython3']) {
    it(`${exe} is not`, () => assert.equal(isPythonExe(exe), false));
  }
});

describe('mightEmbedPython', () => {
  it('checks launchers and Python command lines', () => {
    for (const c of ['uwsgi --ini app.ini', '/opt/venv/bin/gunicorn app:wsgi', 'celery -A proj worker', 'python3 x.py', '/usr/bin/uvicorn main:app'])
      assert.equal(mightEmbedPython(c), true, c);
  });
  it('leaves other programs alone (no /proc/<pid>/maps read for them)', () => {
    for (const c of ['sleep 300', '/usr/sbin/sshd -D', 'node dist/cli.js', 'bash']) assert.equal(mightEmbedPython(c), false, c);
  });
  it('leaves out tools that load libpython for their own scripts (Snag’s own gdb, mid-dump)', () => {
    assert.equal(mightEmbedPython('gdb -nx -q -batch -ex "python exec(...)" -p 42', '/usr/bin/gdb'), false);
    assert.equal(mightEmbedPython('/usr/bin/gdb -batch -ex python'), false);
    assert.equal(mightEmbedPython('nvim --embed python3 x.py', '/usr/bin/nvim'), false);
    assert.equal(mightEmbedPython('uwsgi --ini app.ini', '/usr/bin/uwsgi'), true);
  });
});

describe('libpythonFromMaps on recorded /proc/<pid>/maps', () => {
  it('finds the libpython a program embeds (gdb, like uwsgi)', () => {
    assert.equal(libpythonFromMaps(recorded('proc-maps-gdb.txt')), '/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0');
  });
  it('finds none in an interpreter that links Python statically', () => {
    assert.equal(libpythonFromMaps(recorded('proc-maps-python3.11.txt')), undefined);
  });
  it('finds none in an empty or unrelated map', () => {
    assert.equal(libpythonFromMaps(''), undefined);
    assert.equal(libpythonFromMaps('7f1e10475000-7f1e1049b000 r--p 00000000 fe:00 326269   /usr/lib/x86_64-linux-gnu/libpythonic.so\n'), undefined);
  });
});

describe('decidePython: one rule for every target kind', () => {
  const decide = (command: string, exe: string | undefined, maps: MappedLibraries) => {
    const p = { command, isPython: false } as ProcessInfo;
    decidePython(p, exe, maps);
    return p.isPython ? p.pythonReason : undefined;
  };
  const uwsgiLib = '/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0';
  it('by the executable first, maps or not', () => {
    assert.equal(decide('python3 app.py', '/usr/bin/python3.11', undefined), 'executable /usr/bin/python3.11');
    assert.equal(decide('python3 app.py', '/usr/bin/python3.11', 'unreadable'), 'executable /usr/bin/python3.11');
  });
  it('by a mapped libpython, from the maps text (this machine) or the path grep found (a container, an ssh host)', () => {
    assert.equal(decide('uwsgi --ini app.ini', '/usr/bin/uwsgi', `7f1e1 r-xp 00000000 fe:00 326269   ${uwsgiLib}\n`), 'libpython3.11.so.1.0 is loaded');
    assert.equal(decide('uwsgi --ini app.ini', '/usr/bin/uwsgi', uwsgiLib), 'libpython3.11.so.1.0 is loaded');
    assert.equal(decide('uwsgi --ini app.ini', '/usr/bin/uwsgi', ''), undefined, 'looked at, none mapped');
  });
  it('never for a tool that scripts with libpython (gdb, vim), by its executable or its command', () => {
    assert.equal(decide('gdb -p 42', '/usr/bin/gdb', recorded('proc-maps-gdb.txt')), undefined);
    assert.equal(decide('/usr/bin/gdb -batch', undefined, uwsgiLib), undefined);
  });
  it('by the command only when nothing else could be read', () => {
    assert.equal(decide('python3 app.py', undefined, 'unreadable'), 'command python3 (process not readable)');
    assert.equal(decide('python3 app.py', '/usr/bin/bash', 'unreadable'), 'command python3 (process not readable)');
    assert.equal(decide('python3 app.py', undefined, undefined), 'command python3');
    assert.equal(decide('python3 app.py', '/usr/bin/bash', undefined), undefined, 'an executable that is not Python wins over its command');
    assert.equal(decide('python3 app.py', undefined, ''), undefined, 'maps read, no libpython: a static interpreter would have shown its executable');
    assert.equal(decide('bash -c x', undefined, 'unreadable'), undefined);
  });
});

describe('pythonVersionFromPath', () => {
  it('reads the version from an interpreter or library name', () => {
    assert.equal(pythonVersionFromPath('/usr/bin/python3.11'), '3.11');
    assert.equal(pythonVersionFromPath('/usr/lib/x86_64-linux-gnu/libpython3.12.so.1.0'), '3.12');
    assert.equal(pythonVersionFromPath('/opt/pypy/bin/pypy3.10'), '3.10');
    assert.equal(pythonVersionFromPath('/usr/bin/python3'), undefined);
    assert.equal(pythonVersionFromPath(undefined), undefined);
  });
});
