// Container path rules in the source mapper (mounts before the user's mappings, container paths
// never taken as local ones) and the argv the container runner builds.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Frame } from '../../src/core/model';
import { SourceMapper } from '../../src/core/mapping/sourceMap';
import { ContainerEngine } from '../../src/core/targets/containerEngine';
import { containerRunner } from '../../src/core/targets/containerRunner';
import { LocalTarget } from '../../src/core/targets/local';

const ws = mkdtempSync(join(tmpdir(), 'snag-mapping-'));
after(() => rmSync(ws, { recursive: true, force: true }));
mkdirSync(join(ws, 'other'));
writeFileSync(join(ws, 'worker.py'), 'x = 1\n');
writeFileSync(join(ws, 'other', 'worker.py'), 'x = 2\n');

const frame = (file: string, line = 17): Frame => ({ function: 'download_file', file, line, native: false, isUserCode: false });

describe('SourceMapper.forTarget', () => {
  const base = new SourceMapper({ workspaceRoots: [ws], mappings: [{ remoteRoot: '/app', localRoot: join(ws, 'other') }] });

  it('a container mount wins over the user’s mapping for the same root', async () => {
    const f = await base.forTarget({ mounts: [{ remoteRoot: '/app', localRoot: ws }], pathsAreLocal: false }).mapFrame(frame('/app/worker.py'));
    assert.equal(f.localFile, join(ws, 'worker.py'));
    assert.equal(f.mapping?.method, 'mount');
    assert.equal(f.line, 17);
    assert.equal(f.isUserCode, true);
  });

  it('without a mount, the user’s mapping still applies', async () => {
    const f = await base.forTarget({ pathsAreLocal: false }).mapFrame(frame('/app/worker.py'));
    assert.equal(f.localFile, join(ws, 'other', 'worker.py'));
    assert.equal(f.mapping?.method, 'rule');
  });

  it('a container path that happens to exist here is not taken as the file', async () => {
    const mapper = new SourceMapper({ workspaceRoots: [ws] }).forTarget({ pathsAreLocal: false });
    const f = await mapper.mapFrame(frame(join(ws, 'other', 'worker.py')));
    assert.notEqual(f.mapping?.method, 'exists');
  });
});

describe('containerRunner', () => {
  it('prefixes `<engine> exec` and the user', () => {
    const engine = new ContainerEngine('podman', new LocalTarget());
    assert.deepEqual(containerRunner(engine, 'abc123', '1000').wrap(['py-spy', 'dump', '--pid', '1']), [
      'podman',
      'exec',
      '-u',
      '1000',
      'abc123',
      'py-spy',
      'dump',
      '--pid',
      '1',
    ]);
    assert.deepEqual(containerRunner(engine, 'abc123').wrap(['ps']), ['podman', 'exec', 'abc123', 'ps']);
  });
});
