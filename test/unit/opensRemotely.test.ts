// One rule says whether a frame opens read-only from its target, for a dump's frames and a sampled
// profile's frames and rows alike: the mapper's verdict ('remote'), no local copy, a line.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { opensRemotely } from '../../src/core/mapping/opensRemotely';
import { SourceMapper } from '../../src/core/mapping/sourceMap';
import { frameMapperFor } from '../../src/core/sampling/frameMapper';
import { Sampler } from '../../src/core/sampling/sampler';

describe('opensRemotely', () => {
  const empty = mkdtempSync(join(tmpdir(), 'snag-remote-'));
  after(() => rmSync(empty, { recursive: true, force: true }));
  const hostMapper = () => new SourceMapper({ workspaceRoots: [empty] }).forTarget({ pathsAreLocal: false, remoteSource: 'prod-1' });

  it('the mapper decides: a frame of an ssh host with no local copy opens there, user code and library alike', async () => {
    const mapper = hostMapper();
    const user = await mapper.mapFrame({ function: 'fetch', file: '/srv/app/w.py', line: 12, native: false, isUserCode: false });
    const lib = await mapper.mapFrame({ function: 'wait', file: '/usr/lib/python3.11/threading.py', line: 320, native: false, isUserCode: false });
    const native = await mapper.mapFrame({ function: 'recv', file: '/lib/libc.so.6', line: 0, native: true, isUserCode: false });
    assert.equal(opensRemotely(user), true);
    assert.equal(opensRemotely(lib), true);
    assert.equal(opensRemotely(native), false);
    assert.equal(opensRemotely({ ...user, localFile: '/here/w.py' }), false, 'a local copy opens here');
    assert.equal(opensRemotely({ ...user, line: 0 }), false);
    // A target that serves no files: nothing opens remotely.
    const here = await new SourceMapper({ workspaceRoots: [empty] }).forTarget({ pathsAreLocal: false }).mapFrame({ ...user, mapping: undefined });
    assert.equal(opensRemotely(here), false);
  });

  it('a sampled profile carries the same verdict in its frames, rows and thread places', async () => {
    const s = new Sampler({ pid: 1, rateHz: 10, method: 'test', mapFrame: frameMapperFor(hostMapper()) });
    const frames = [
      { function: 'wait', file: '/usr/lib/python3.11/threading.py', line: 320, native: false },
      { function: 'fetch', file: '/srv/app/w.py', line: 12, native: false },
    ];
    for (let i = 0; i < 3; i++) await s.add({ startMs: i * 1000, endMs: (i + 1) * 1000, stacks: [{ id: 7, name: 'MainThread', frames, count: 10 }] });
    const p = s.profile();
    assert.deepEqual(
      p.frames.map((f) => [f.function, opensRemotely(f)]),
      [
        ['wait', true],
        ['fetch', true],
      ],
    );
    assert.ok(p.lines.every(opensRemotely) && p.functions.every(opensRemotely));
    assert.equal(p.threads[0]!.at?.function, 'fetch');
    assert.equal(opensRemotely(p.threads[0]!.at!), true);
  });
});
