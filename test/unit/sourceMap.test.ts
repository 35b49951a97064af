// SourceMapper on real files in temp folders.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Frame, StackDump } from '../../src/core/model';
import { applyRules, isUnder, originOf, SourceMapper } from '../../src/core/mapping/sourceMap';

const root = mkdtempSync(join(tmpdir(), 'snag-map-'));
after(() => rmSync(root, { recursive: true, force: true }));

function file(rel: string, text = 'pass\n'): string {
  const p = join(root, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
}

const frame = (file: string, extra: Partial<Frame> = {}): Frame => ({ function: 'f', file, line: 3, native: false, isUserCode: false, ...extra });

describe('SourceMapper', () => {
  const ws = join(root, 'ws');
  const worker = file('ws/app/jobs/worker.py');
  const otherWorker = file('ws/tools/worker.py');
  const util = file('ws/app/util.py');
  const dupA = file('ws/a/handlers.py');
  const dupB = file('ws/b/handlers.py');
  const venvLib = file('ws/.venv/lib/python3.11/site-packages/requests/api.py');
  writeFileSync(join(ws, '.venv', 'pyvenv.cfg'), 'home = /usr/bin\n');
  const vendored = file('ws/.venv/src/onlyinvenv.py');
  const nodeModules = file('ws/node_modules/pkg/worker.py');
  void nodeModules;

  it('maps a path that exists here to itself', async () => {
    const f = await new SourceMapper({ workspaceRoots: [ws] }).mapFrame(frame(util));
    assert.equal(f.localFile, util);
    assert.equal(f.mapping?.method, 'exists');
    assert.equal(f.origin, 'user');
    assert.equal(f.isUserCode, true);
  });

  it('maps through a path rule (remoteRoot → localRoot)', async () => {
    const m = new SourceMapper({ workspaceRoots: [ws], mappings: [{ remoteRoot: '/srv/app', localRoot: join(ws, 'app') }] });
    const f = await m.mapFrame(frame('/srv/app/jobs/worker.py'));
    assert.equal(f.localFile, worker);
    assert.deepEqual(f.mapping, { method: 'rule', reason: `path mapping /srv/app → ${join(ws, 'app')}` });
    assert.equal(f.isUserCode, true);
  });

  it('the longest matching rule wins, whatever the order', async () => {
    const rules = [
      { remoteRoot: '/srv', localRoot: join(ws, 'nowhere') },
      { remoteRoot: '/srv/app/jobs', localRoot: join(ws, 'app', 'jobs') },
      { remoteRoot: '/srv/app', localRoot: join(ws, 'tools') },
    ];
    const f = await new SourceMapper({ workspaceRoots: [], mappings: rules }).mapFrame(frame('/srv/app/jobs/worker.py'));
    assert.equal(f.localFile, worker);
    assert.match(f.mapping!.reason, /\/srv\/app\/jobs →/);
    assert.equal(applyRules('/srv/application/x.py', [{ remoteRoot: '/srv/app', localRoot: '/l' }]), undefined, 'a rule matches whole path segments only');
  });

  it('a rule whose target file is missing falls through to the next method', async () => {
    const m = new SourceMapper({ workspaceRoots: [ws], mappings: [{ remoteRoot: '/srv/app', localRoot: join(ws, 'nowhere') }] });
    const f = await m.mapFrame(frame('/srv/app/jobs/worker.py'));
    assert.equal(f.mapping?.method, 'suffix');
    assert.equal(f.localFile, worker);
  });

  it("container mounts go before the user's rules", async () => {
    const m = new SourceMapper({
      workspaceRoots: [ws],
      mounts: [{ remoteRoot: '/app', localRoot: join(ws, 'app') }],
      mappings: [{ remoteRoot: '/app', localRoot: join(ws, 'tools') }],
    });
    const f = await m.mapFrame(frame('/app/jobs/worker.py'));
    assert.equal(f.mapping?.method, 'mount');
    assert.equal(f.localFile, worker);
  });

  it('otherwise the longest path-suffix match among workspace files', async () => {
    const m = new SourceMapper({ workspaceRoots: [ws] });
    const f = await m.mapFrame(frame('/deploy/releases/42/app/jobs/worker.py'));
    assert.equal(f.localFile, worker, 'app/jobs/worker.py beats tools/worker.py');
    assert.deepEqual(f.mapping, { method: 'suffix', reason: 'matched …/app/jobs/worker.py in the workspace' });
    const g = await m.mapFrame(frame('/deploy/tools/worker.py'));
    assert.equal(g.localFile, otherWorker);
  });

  it('an ambiguous suffix maps to nothing and says why', async () => {
    const f = await new SourceMapper({ workspaceRoots: [ws] }).mapFrame(frame('/srv/c/handlers.py'));
    assert.equal(f.localFile, undefined);
    assert.equal(f.mapping?.method, 'none');
    assert.match(f.mapping!.reason, /2 workspace files end in handlers\.py; add a path mapping/);
    assert.equal(f.isUserCode, false);
    void dupA;
    void dupB;
  });

  it('skips virtual environments and node_modules when searching the workspace', async () => {
    const m = new SourceMapper({ workspaceRoots: [ws] });
    const f = await m.mapFrame(frame('/elsewhere/onlyinvenv.py'));
    assert.equal(f.localFile, undefined);
    assert.equal(f.mapping?.reason, 'no onlyinvenv.py in the workspace');
    void vendored;
    // node_modules/pkg/worker.py would make app/jobs/worker.py ambiguous if it were indexed
    const g = await m.mapFrame(frame('/x/worker.py'));
    assert.match(g.mapping!.reason, /2 workspace files end in worker\.py/);
  });

  it('marks library frames: site-packages, stdlib, native', async () => {
    const m = new SourceMapper({ workspaceRoots: [ws] });
    const lib = await m.mapFrame(frame('/usr/lib/python3.11/site-packages/requests/api.py'));
    assert.equal(lib.origin, 'site-packages');
    assert.equal(lib.isUserCode, false);
    assert.equal(lib.mapping?.reason, 'library file not present on this machine');
    const present = await m.mapFrame(frame(venvLib));
    assert.equal(present.origin, 'site-packages');
    assert.equal(present.localFile, venvLib, 'a library file that exists is still opened');
    assert.equal(present.isUserCode, false, "but it is not the user's code");
    const std = await m.mapFrame(frame('/usr/lib/python3.11/threading.py'));
    assert.equal(std.origin, 'stdlib');
    const native = await m.mapFrame(frame('/usr/lib/x86_64-linux-gnu/libc.so.6', { native: true, line: 0, function: 'recv' }));
    assert.equal(native.origin, 'native');
    assert.deepEqual(native.mapping, { method: 'none', reason: 'native code without source information' });
    const frozen = await m.mapFrame(frame('<frozen importlib._bootstrap>'));
    assert.equal(frozen.origin, 'stdlib');
    assert.equal(frozen.mapping?.method, 'none');
  });

  it('does not treat target paths as local when told they are not', async () => {
    const f = await new SourceMapper({ workspaceRoots: [], pathsAreLocal: false }).mapFrame(frame(util));
    assert.equal(f.localFile, undefined);
    assert.equal(f.mapping?.reason, 'no workspace folder to search');
  });

  it('maps every frame of a dump in place', async () => {
    const dump: StackDump = {
      pid: 1,
      backend: 'py-spy',
      takenAt: '',
      durationMs: 0,
      findings: [],
      threads: [{ id: 1, name: 'MainThread', active: false, ownsGil: false, frames: [frame(util), frame('/srv/x/app/jobs/worker.py')] }],
    };
    await new SourceMapper({ workspaceRoots: [ws] }).mapDump(dump);
    assert.deepEqual(
      dump.threads[0]!.frames.map((f) => f.localFile),
      [util, worker],
    );
  });

  it('a new file is found after invalidate()', async () => {
    const m = new SourceMapper({ workspaceRoots: [ws] });
    assert.equal((await m.mapFrame(frame('/srv/late.py'))).localFile, undefined);
    const late = file('ws/late.py');
    assert.equal((await m.mapFrame(frame('/srv/late.py'))).localFile, undefined, 'the index is cached');
    m.invalidate();
    assert.equal((await m.mapFrame(frame('/srv/late.py'))).localFile, late);
  });
});

describe('originOf and isUnder', () => {
  it('classifies paths', () => {
    assert.equal(originOf({ file: '/opt/venv/lib/python3.12/site-packages/x.py', native: false }), 'site-packages');
    assert.equal(originOf({ file: '/usr/lib/python3/dist-packages/x.py', native: false }), 'site-packages');
    assert.equal(originOf({ file: 'C:\\Python311\\Lib\\threading.py', native: false }), 'stdlib');
    assert.equal(originOf({ file: '/home/me/proj/app.py', native: false }), 'user');
    assert.equal(originOf({ file: '<string>', native: false }), 'unknown');
  });
  it('tells whether a file is inside a root', () => {
    assert.equal(isUnder('/w/a/b.py', ['/w']), true);
    assert.equal(isUnder('/w2/b.py', ['/w']), false);
    assert.equal(isUnder('/w', ['/w']), false);
  });
});
