// Remote quoting: exact strings for the tricky cases, and random argv round-tripped through the
// POSIX shells on this machine (sh, bash; the remote side is one of those login shells).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { SnagError } from '../../src/core/errors';
import { quoteRemoteArgv } from '../../src/core/targets/sshQuote';
import { prng, randomArgv } from '../support/randomArgv';
import { which } from '../support/tools';

describe('quoteRemoteArgv', () => {
  const cases: [string[], string][] = [
    [['ps'], `'ps'`],
    [['echo', 'a b'], `'echo' 'a b'`],
    [['echo', ''], `'echo' ''`],
    [['echo', "it's"], `'echo' 'it'\\''s'`],
    [['echo', "''"], `'echo' ''\\'''\\'''`],
    [['echo', '$HOME `id` $(id) \\ !'], `'echo' '$HOME \`id\` $(id) \\ !'`],
    [['echo', 'a\nb'], `'echo' 'a\nb'`],
    [['echo', '-n', '--'], `'echo' '-n' '--'`],
    [['echo', '🐍 漢字'], `'echo' '🐍 漢字'`],
  ];
  for (const [argv, expected] of cases) it(`quotes ${JSON.stringify(argv)}`, () => assert.equal(quoteRemoteArgv(argv), expected));

  it('refuses NUL (no argument can hold it) and an empty command', () => {
    assert.throws(
      () => quoteRemoteArgv(['echo', 'a\0b']),
      (e) => SnagError.is(e, 'bad-input'),
    );
    assert.throws(
      () => quoteRemoteArgv([]),
      (e) => SnagError.is(e, 'bad-input'),
    );
  });

  for (const shell of ['sh', 'bash', 'dash']) {
    it(`round-trips 1000 random argv through ${shell} -c`, (t) => {
      const path = which(shell, []);
      if (!path) return t.skip(`${shell} is not installed`);
      const seed = Date.now() >>> 0;
      const r = prng(seed);
      // Many commands per shell: each prints its arguments NUL-separated after a marker.
      const batches: string[][][] = Array.from({ length: 20 }, () => Array.from({ length: 50 }, () => randomArgv(r)));
      for (const batch of batches) {
        const script = batch.map((argv) => quoteRemoteArgv(['printf', '%s\\0', 'ARGV', ...argv])).join('\n');
        const out: { status: number | null; stdout: string; stderr: string } = spawnSync(path, ['-c', script], {
          encoding: 'utf8',
          maxBuffer: 64 * 1024 * 1024,
        });
        assert.equal(out.status, 0, `${shell} failed (seed ${seed}): ${out.stderr}`);
        const got = out.stdout
          .split('ARGV\0')
          .slice(1)
          .map((s) => (s ? s.slice(0, -1).split('\0') : []));
        assert.deepEqual(got, batch, `seed ${seed}`);
      }
    });
  }
});
