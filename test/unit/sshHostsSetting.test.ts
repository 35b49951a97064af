// snag.sshHosts → host settings: strings and objects, bad entries dropped, add/remove keep the rest.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveSshHosts, withoutSshHost, withSshHost } from '../../src/extension/targets/sshHostsSetting';

describe('resolveSshHosts', () => {
  it('reads strings and objects, resolves mappings, drops what ssh would misread', () => {
    const raw = [
      'prod-1',
      {
        host: 'me@db',
        label: 'Database',
        pyspyPath: '/opt/py-spy',
        pathMappings: [{ remoteRoot: '/srv/app', localRoot: '${workspaceFolder}/src' }, { remoteRoot: 1 }],
      },
      '-oProxyCommand=evil',
      'two words',
      { label: 'no host' },
      42,
      '',
    ];
    assert.deepEqual(resolveSshHosts(raw, '/ws'), [
      { host: 'prod-1' },
      { host: 'me@db', label: 'Database', pyspyPath: '/opt/py-spy', pathMappings: [{ remoteRoot: '/srv/app', localRoot: '/ws/src' }] },
    ]);
  });
  it('keeps the last entry for a host', () => {
    assert.deepEqual(resolveSshHosts(['a', { host: 'a', label: 'A' }], undefined), [{ host: 'a', label: 'A' }]);
  });
  it('is empty for anything but an array', () => {
    assert.deepEqual(resolveSshHosts({ host: 'a' }, undefined), []);
  });
});

describe('withSshHost / withoutSshHost', () => {
  it('adds once and removes every spelling', () => {
    assert.deepEqual(withSshHost(undefined, 'a'), ['a']);
    assert.deepEqual(withSshHost(['a', { host: 'b' }], 'b'), ['a', { host: 'b' }]);
    assert.deepEqual(withoutSshHost(['a', { host: 'a', label: 'x' }, 'b'], 'a'), ['b']);
  });
});
