// snag.pathMappings as users write it (debugpy's shape) → core path mappings.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolvePathMappings } from '../../../src/extension/dumps/pathMappingsSetting';

describe('snag.pathMappings', () => {
  it('resolves ${workspaceFolder} and relative localRoots; drops malformed entries', () => {
    const raw = [
      { remoteRoot: '/app', localRoot: '${workspaceFolder}' },
      { remoteRoot: '/srv/lib', localRoot: 'src/lib' },
      { remoteRoot: '/abs', localRoot: '/elsewhere' },
      { remoteRoot: '', localRoot: '/x' },
      { remoteRoot: '/only-remote' },
      'not an object',
      null,
    ];
    assert.deepEqual(resolvePathMappings(raw, '/ws'), [
      { remoteRoot: '/app', localRoot: '/ws' },
      { remoteRoot: '/srv/lib', localRoot: '/ws/src/lib' },
      { remoteRoot: '/abs', localRoot: '/elsewhere' },
    ]);
  });
  it('anything but an array is no mappings', () => {
    assert.deepEqual(resolvePathMappings({ remoteRoot: '/a', localRoot: '/b' }, '/ws'), []);
    assert.deepEqual(resolvePathMappings(undefined, undefined), []);
  });
});
