// The remote-quoting proof: thousands of random argv (shell metacharacters, control characters,
// unicode from every plane, empty strings, leading dashes) sent through a real sshd and the
// remote login shell to a real program that reports the exact bytes of each argument it got.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SshConnection } from '../../src/core/targets/sshConnection';
import { prng, randomArgv } from '../support/randomArgv';
import { absolutePython, startSshd } from '../support/sshd';

// Prints each argument's raw bytes (hex), so nothing is lost to the locale or to JSON.
const ECHO_ARGV = 'import os,sys,json;print(json.dumps([os.fsencode(a).hex() for a in sys.argv[1:]]))';
const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex');

test('ssh quoting: 3000 random argv arrive byte for byte through a real sshd', { timeout: 300_000 }, async (t) => {
  const sshd = await startSshd(t);
  if (!sshd) return;
  const python = absolutePython();
  const conn = new SshConnection({ host: sshd.host, configFile: sshd.clientConfig, controlDir: join(sshd.dir, 'ctl') });
  t.after(() => conn.close());
  await conn.connect();

  const seed = Number(process.env.SNAG_FUZZ_SEED ?? Date.now() >>> 0);
  const r = prng(seed);
  const argvs = Array.from({ length: 3000 }, () => randomArgv(r));
  // Batches of 60 argv per remote command (one channel each over the shared connection); the
  // batch's argument lists are concatenated, so every argument and every boundary is checked.
  const batches: string[][][] = [];
  for (let i = 0; i < argvs.length; i += 60) batches.push(argvs.slice(i, i + 60));
  let next = 0;
  let sent = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      const args = batch.flat();
      const { stdout } = await conn.run([python, '-c', ECHO_ARGV, ...args], { timeoutMs: 60_000 });
      const got = JSON.parse(stdout) as string[];
      if (got.join(',') !== args.map(hex).join(',')) {
        // Find the first argv that differs, to say exactly what went wrong.
        const expected = args.map(hex);
        const i = expected.findIndex((h, k) => got[k] !== h);
        assert.fail(
          `seed ${seed}: argument ${i} ${JSON.stringify(args[i])} arrived as ${JSON.stringify(got[i] ? Buffer.from(got[i]!, 'hex').toString() : got[i])}`,
        );
      }
      sent += batch.length;
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  assert.equal(sent, 3000);
  t.diagnostic(`seed ${seed}: ${sent} argv, ${argvs.reduce((n, a) => n + a.length, 0)} arguments, ${batches.length} remote commands`);
});

test('ssh quoting: the program path itself may hold spaces and quotes', { timeout: 120_000 }, async (t) => {
  const sshd = await startSshd(t);
  if (!sshd) return;
  const dir = mkdtempSync(join(tmpdir(), "snag 'odd' $dir `x` "));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const odd = join(dir, "py thon's $(x)");
  symlinkSync(absolutePython(), odd);
  const conn = new SshConnection({ host: sshd.host, configFile: sshd.clientConfig, controlDir: join(sshd.dir, 'ctl') });
  t.after(() => conn.close());
  const { stdout } = await conn.run([odd, '-c', ECHO_ARGV, '', '-', "'", '\n']);
  assert.deepEqual(JSON.parse(stdout), ['', '-', "'", '\n'].map(hex));
});

test('ssh quoting: environment variables reach the remote program, not the local ssh', { timeout: 120_000 }, async (t) => {
  const sshd = await startSshd(t);
  if (!sshd) return;
  const conn = new SshConnection({ host: sshd.host, configFile: sshd.clientConfig, controlDir: join(sshd.dir, 'ctl') });
  t.after(() => conn.close());
  const value = "a b'$HOME\n🐍";
  const { stdout } = await conn.run([absolutePython(), '-c', 'import os;print(os.environ["SNAG_PROBE"].encode().hex())'], { env: { SNAG_PROBE: value } });
  assert.equal(stdout.trim(), hex(value));
});
