// What the guard tells the user names what was going on: a target found stopped while sampling is
// "stopped before sampling", not "before the dump" (the sampler has no dump). Through the built CLI,
// with a real stopped Python program and fake py-spys (a recording and repeated dumps).
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { guardRemark } from '../../src/core/guard/guardNotes';
import { processState, REPO, startProgram } from '../support/programs';
import { ensureBuilt, runCli } from '../support/snag';

const dir = mkdtempSync(join(tmpdir(), 'snag-guard-notes-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const RECORDING = join(REPO, 'test', 'fixtures', 'outputs', 'pyspy-record-speedscope.json');
const THREAD = '{"thread_id":7,"thread_name":"MainThread","active":false,"owns_gil":false,"frames":[{"name":"wait_here","filename":"/srv/app.py","line":3}]}';

/** A stand-in for py-spy: `record … --output FILE` copies a real recording there; `dump` prints one thread. */
function fakePyspy(): string {
  const path = join(dir, 'pyspy');
  writeFileSync(
    path,
    `#!/bin/sh\nout=""; prev=""\nfor a in "$@"; do [ "$prev" = "--output" ] && out=$a; prev=$a; done\ncase "$1" in\n  record) sleep 0.3; cat '${RECORDING}' > "$out";;\n  dump) echo '[${THREAD}]';;\n  *) exit 3;;\nesac\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

describe('guard notes name the operation', () => {
  it('the sentences for a dump and for sampling', () => {
    assert.equal(guardRemark('left-stopped', 42, 'py-spy', 'dump'), 'Process 42 was already stopped (state T) before the dump; Snag left it stopped.');
    assert.equal(guardRemark('left-stopped', 42, 'py-spy', 'sampling'), 'Process 42 was already stopped (state T) before sampling; Snag left it stopped.');
    assert.equal(guardRemark('resumed', 42, 'gdb', 'dump'), 'Process 42 was left stopped by gdb; Snag resumed it (SIGCONT).');
    assert.equal(guardRemark('resumed', 42, 'gdb', 'sampling'), 'Process 42 was left stopped by gdb while sampling; Snag resumed it (SIGCONT).');
    assert.equal(guardRemark('running', 42, 'gdb', 'sampling'), '');
  });

  for (const [how, extra] of [
    ['a py-spy recording', []],
    ['repeated py-spy dumps (--native)', ['--native']],
  ] as const) {
    it(`a target stopped before ${how}: the profile says "before sampling", never "the dump"`, { timeout: 60_000 }, async (t) => {
      ensureBuilt();
      const p = await startProgram('sleeping_thread.py');
      t.after(() => p.stop());
      process.kill(p.pid, 'SIGSTOP');
      try {
        for (let i = 0; processState(p.pid) !== 'T'; i++) {
          assert.ok(i < 100, 'the target did not stop');
          await delay(20);
        }
        const r = await runCli(['sample', String(p.pid), '--pyspy', fakePyspy(), '--duration', '1', '--json', ...extra]);
        assert.equal(r.code, 0, r.stderr);
        const notes: string[] = JSON.parse(r.stdout).notes ?? [];
        assert.ok(notes.includes(`Process ${p.pid} was already stopped (state T) before sampling; Snag left it stopped.`), JSON.stringify(notes));
        assert.ok(!notes.some((n) => /dump/.test(n) && /stopped/.test(n)), JSON.stringify(notes));
        assert.equal(processState(p.pid), 'T', 'a target stopped before is left stopped');
      } finally {
        process.kill(p.pid, 'SIGCONT');
      }
    });
  }
});
