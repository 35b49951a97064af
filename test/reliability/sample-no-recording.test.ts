// A py-spy that exits 0 without writing its recording (a broken or foreign `py-spy`, a wrapper that
// swallowed the arguments): `snag sample` says so in one sentence naming py-spy and what it printed,
// not `cat: … No such file or directory` blamed on py-spy. One that also stopped the target leaves
// it running.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PYTHON, processState } from '../support/programs';
import { ensureBuilt, isOneLine, runCli } from '../support/snag';

const dir = mkdtempSync(join(tmpdir(), 'snag-no-recording-'));

function fakePyspy(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

let target: ChildProcess;
before(async () => {
  ensureBuilt();
  target = spawn(PYTHON, ['-c', 'import time; print("ready", flush=True); time.sleep(600)'], { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise<void>((res, rej) => {
    target.stdout!.once('data', () => res());
    target.once('error', rej);
  });
});
after(() => {
  target?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('reliability: a py-spy that writes no recording', () => {
  for (const [label, body] of [
    ['prints a line and exits 0', 'echo "Sampling process 100 times a second. Press Control-C to exit."\nexit 0'],
    ['prints nothing and exits 0', 'exit 0'],
    ['stops the target, prints nothing and exits 0', 'while [ $# -gt 0 ]; do [ "$1" = "--pid" ] && T=$2; shift; done\nkill -STOP "$T"\nexit 0'],
  ]) {
    it(label, async () => {
      const pyspy = fakePyspy(label.replace(/\W+/g, '-'), body);
      const r = await runCli(['sample', String(target.pid), '--pyspy', pyspy, '--duration', '2']);
      assert.equal(r.code, 1, r.stderr);
      assert.ok(isOneLine(r.stderr), JSON.stringify(r.stderr));
      assert.doesNotMatch(r.stderr, /cat: |No such file/);
      assert.match(r.stderr, new RegExp(`^snag: py-spy exited without an error but wrote no recording of process ${target.pid} on this machine\\b`));
      if (body.includes('Sampling')) assert.match(r.stderr, /\(it printed "Sampling process 100 times a second\. Press Control-C to exit"\)/);
      if (body.includes('STOP'))
        assert.match(r.stderr, new RegExp(`Process ${target.pid} was left stopped by py-spy while sampling; Snag resumed it \\(SIGCONT\\)\\.\\n$`));
      assert.notEqual(processState(target.pid!), 'T', 'the target was left stopped');
    });
  }
});
