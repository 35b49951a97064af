// `snag` usage errors: exit code 2 and one line on stderr, before any tool runs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { main, parseMapping, parseSeconds } from '../../src/cli/main';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s), isTTY: false });
  return { code, out, err };
}

const oneLine = (s: string) => s.endsWith('\n') && !s.slice(0, -1).includes('\n');

describe('snag CLI arguments', () => {
  const cases: Array<[string[], RegExp]> = [
    [['dump'], /^snag: dump needs a process id, got "": snag ps lists them/],
    [['dump', 'abc'], /^snag: dump needs a process id, got "abc": decimal digits only/],
    [['dump', '-5'], /^snag: /],
    [['dump', '0'], /needs a process id, got "0"/],
    [['dump', '12', '34'], /^snag: dump takes one process id, got 2: 12 34$/],
    [['sample', '12', '34'], /^snag: sample takes one process id/],
    [['dump', '12', '--map', 'no-equals-sign'], /^snag: --map expects REMOTE=LOCAL, got "no-equals-sign"$/],
    [['dump', '12', '--map', '=/local'], /--map expects REMOTE=LOCAL/],
    [['dump', '12', '--frobnicate'], /^snag: .*--frobnicate/],
    [['ps', '--bogus'], /^snag: .*--bogus/],
    [['ps', 'extra'], /^snag: /],
    [['dump', '12', '--timeout', 'soon'], /^snag: --timeout expects a number of seconds like 20 or 0\.5, at most 3600, got "soon"$/],
    [['dump', '12', '--timeout', '0'], /--timeout expects a number of seconds/],
  ];
  for (const [argv, message] of cases) {
    it(`snag ${argv.join(' ')} → exit 2, one line`, async () => {
      const r = await cli(...argv);
      assert.equal(r.code, 2);
      assert.equal(r.out, '');
      assert.ok(oneLine(r.err), `stderr is one line: ${JSON.stringify(r.err)}`);
      assert.match(r.err.trimEnd(), message);
    });
  }

  it('an unknown command exits 2 and shows the usage', async () => {
    const r = await cli('frobnicate');
    assert.equal(r.code, 2);
    assert.match(r.err, /^snag: unknown command "frobnicate"\nSnag: .*\n\nusage:/);
  });

  it('no command prints the usage and exits 2; --help exits 0', async () => {
    assert.equal((await cli()).code, 2);
    const help = await cli('--help');
    assert.equal(help.code, 0);
    assert.match(help.out, /snag dump <pid>/);
  });

  it('parses --timeout seconds', () => {
    assert.equal(parseSeconds('--timeout', '2.5'), 2500);
    assert.equal(parseSeconds('--timeout', undefined), undefined);
  });

  it('parses --map into an absolute local root', () => {
    assert.deepEqual(parseMapping('/srv/app=/home/me/app'), { remoteRoot: '/srv/app', localRoot: '/home/me/app' });
    assert.equal(parseMapping('/app=rel').localRoot, `${process.cwd()}/rel`);
    assert.equal(parseMapping('/a=b=c').remoteRoot, '/a', 'the first = splits');
  });
});
