// Hosts from ssh_config: concrete Host names only, Include followed (relative, ~, globs, nested).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseSshConfig, readSshConfigHosts, splitConfigLine } from '../../src/core/targets/sshConfig';

describe('splitConfigLine', () => {
  it('reads keyword and arguments in all of ssh_config’s spellings', () => {
    assert.deepEqual(splitConfigLine('Host a b'), { keyword: 'host', args: ['a', 'b'] });
    assert.deepEqual(splitConfigLine('  HOST=a'), { keyword: 'host', args: ['a'] });
    assert.deepEqual(splitConfigLine('Host = a'), { keyword: 'host', args: ['a'] });
    assert.deepEqual(splitConfigLine('\tInclude "with space/*.conf" other'), { keyword: 'include', args: ['with space/*.conf', 'other'] });
    assert.deepEqual(splitConfigLine('Host a # the prod box'), { keyword: 'host', args: ['a'] });
    assert.equal(splitConfigLine('# comment'), undefined);
    assert.equal(splitConfigLine('   '), undefined);
  });
});

describe('parseSshConfig', () => {
  it('keeps concrete names and drops patterns and negations', () => {
    const text = ['Host *', '  User me', 'Host prod-1 prod-2 *.internal !bastion web?', '  HostName 10.0.0.1', 'Match host db', 'Host db', 'host Lower'].join(
      '\n',
    );
    assert.deepEqual(parseSshConfig(text).hosts, ['prod-1', 'prod-2', 'db', 'Lower']);
  });
  it('does not take HostName or other keywords for hosts', () => {
    assert.deepEqual(parseSshConfig('HostName x\nHostKeyAlias y\nHost z').hosts, ['z']);
  });
});

describe('readSshConfigHosts', () => {
  const home = mkdtempSync(join(tmpdir(), 'snag-sshconfig-'));
  after(() => rmSync(home, { recursive: true, force: true }));
  const ssh = join(home, '.ssh');
  mkdirSync(join(ssh, 'config.d'), { recursive: true });
  mkdirSync(join(home, 'elsewhere'));
  writeFileSync(
    join(ssh, 'config'),
    ['Include config.d/*', 'Host main', 'Include ~/elsewhere/extra', 'Host main', 'Include missing-file', 'Host last'].join('\n'),
  );
  writeFileSync(join(ssh, 'config.d', 'b.conf'), 'Host from-b\nInclude nested.conf\n');
  writeFileSync(join(ssh, 'config.d', 'a.conf'), 'Host from-a *.glob\n');
  writeFileSync(join(ssh, 'nested.conf'), 'Host nested\n');
  writeFileSync(join(home, 'elsewhere', 'extra'), 'Host extra\n');
  // An Include loop must end (ssh stops at depth 16).
  writeFileSync(join(ssh, 'config.d', 'c.conf'), 'Host loop\nInclude config.d/c.conf\n');

  it('follows Include (globs sorted, relative to ~/.ssh, ~ expanded), in file order, without duplicates', async () => {
    assert.deepEqual(await readSshConfigHosts(join(ssh, 'config'), { home }), ['from-a', 'from-b', 'nested', 'loop', 'main', 'extra', 'last']);
  });
  it('returns nothing for a missing config', async () => {
    assert.deepEqual(await readSshConfigHosts(join(home, 'nope'), { home }), []);
  });
});
