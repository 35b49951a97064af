// The CLI's launcher: `snag --help` without the bundle, the bundle started from V8's code cache,
// and a cache that is missing, broken or cannot be written costs only speed.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ensureBuilt, runCli } from '../support/snag';

const dir = mkdtempSync(join(tmpdir(), 'snag-launcher-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A command that loads the bundle and answers at once: a refused pid. */
const REFUSED = ['dump', '0x10'];

describe('reliability: the launcher and its code cache', () => {
  it("help is the bundle's own text, with its exit codes", async () => {
    ensureBuilt();
    const viaLauncher = await runCli(['--help']);
    assert.equal(viaLauncher.code, 0);
    assert.match(viaLauncher.stdout, /^Snag: where is a Python process stuck\?/);
    assert.equal(readFileSync(join(__dirname, '..', '..', 'dist', 'usage.txt'), 'utf8'), viaLauncher.stdout);
    const bare = await runCli([]);
    assert.equal(bare.code, 2);
    assert.equal(bare.stdout, viaLauncher.stdout);
    // Anything else goes to the bundle: an unknown command is its error.
    const unknown = await runCli(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^snag: unknown command "frobnicate"\n/);
  });

  it('the first run writes a private cache, later runs use it, a broken one is replaced', async () => {
    ensureBuilt();
    const env = { XDG_CACHE_HOME: join(dir, 'cache') };
    const first = await runCli(REFUSED, { env });
    assert.equal(first.code, 2, first.stderr);
    const folder = join(dir, 'cache', 'snag');
    const files = readdirSync(folder).filter((f) => f.endsWith('.v8'));
    assert.equal(files.length, 1, files.join());
    assert.equal(statSync(folder).mode & 0o777, 0o700);
    const file = join(folder, files[0]!);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const second = await runCli(REFUSED, { env });
    assert.deepEqual(second, first);
    writeFileSync(file, 'not a code cache');
    const third = await runCli(REFUSED, { env });
    assert.deepEqual(third, first);
    assert.ok(statSync(file).size > 1000, 'the broken cache was written again');
    // An older build's cache goes when a new one is written.
    writeFileSync(join(folder, 'cli-old-build.v8'), 'old');
    rmSync(file);
    await runCli(REFUSED, { env });
    assert.deepEqual(readdirSync(folder).filter((f) => f.endsWith('.v8')).length, 1);
  });

  it('a cache folder that cannot be made changes nothing but speed', async () => {
    ensureBuilt();
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, '');
    const r = await runCli(REFUSED, { env: { XDG_CACHE_HOME: blocker } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^snag: dump needs a process id, got "0x10"/);
  });
});
