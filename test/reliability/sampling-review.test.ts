// `snag sample` against what a review found: names from the target that forged whole samples in
// py-spy's raw format (a function named "…\nthread (4242): FORGED-THREAD;…", with the real py-spy),
// names with newlines that lost every sample, a record tool writing random bytes (told as "the
// process exited"), and recordings of tens of MB of distinct stacks (gigabytes of memory, then
// "Invalid string length"). Through the built CLI, as users run it.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run } from '../../src/core/run';
import { DEFAULT_RECORD_MAX_BYTES } from '../../src/core/sampling/recordSource';
import { MAX_STACKS, OTHER_STACKS } from '../../src/core/sampling/sampler';
import { PYTHON } from '../support/programs';
import { CLI, ensureBuilt, isOneLine, runCli } from '../support/snag';
import { requireTool } from '../support/tools';

const dir = mkdtempSync(join(tmpdir(), 'snag-sampling-review-'));
const FORGED = 'w\nthread (4242): FORGED-THREAD;forged_fn (/etc/shadow:1) 99999';
/** Under this, whatever the record tool writes (the review measured 2.5 GB for 28 MB a chunk). */
const MAX_RSS_KB = 400 * 1024;
/**
 * The CLI's heap is capped for the measure: what Snag holds must fit (V8 collects everything before
 * it gives up), while without a cap V8 lets garbage pile up as it likes (a loaded machine measured
 * 333–422 MB of RSS for about 60 MB live), so the RSS alone would measure the collector's mood.
 */
const HEAP_CAP_MB = 192;

const started: ChildProcess[] = [];
/** A Python program from source; resolves with its pid once it printed a line. */
async function python(name: string, source: string): Promise<number> {
  const path = join(dir, name);
  writeFileSync(path, source);
  const child = spawn(PYTHON, [path], { stdio: ['ignore', 'pipe', 'inherit'] });
  started.push(child);
  await new Promise<void>((res, rej) => {
    child.stdout!.once('data', () => res());
    child.once('exit', (code) => rej(new Error(`${name} exited (${code})`)));
  });
  return child.pid!;
}

/** A stand-in for py-spy: `record … --output FILE` runs `record` with $out set; `dump` prints no threads. */
function fakeRecorder(name: string, record: string): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `#!/bin/sh\nout=""; prev=""\nfor a in "$@"; do [ "$prev" = "--output" ] && out=$a; prev=$a; done\ncase "$1" in\n  record) ${record};;\n  dump) echo '[]';;\n  *) exit 3;;\nesac\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

/** `snag sample` under /usr/bin/time, its heap capped: the result and the CLI's peak memory. */
async function sampleMeasured(args: string[], timeoutMs: number) {
  const r = await run(['/usr/bin/time', '-f', 'maxrss=%M', process.execPath, `--max-old-space-size=${HEAP_CAP_MB}`, CLI, 'sample', ...args], {
    timeoutMs,
    okExitCodes: [0, 1, 2],
    maxBytes: 64 * 1024 * 1024,
  });
  const rss = Number(/maxrss=(\d+)\s*$/.exec(r.stderr)?.[1]);
  // time's own lines ("Command exited with non-zero status 1", the measure) are not the CLI's.
  const stderr = r.stderr.replace(/(Command exited with non-zero status \d+\n)?maxrss=\d+\s*$/, '');
  return { code: r.exitCode, stdout: r.stdout, stderr, rssKb: rss };
}

let sleeper: number;
before(async () => {
  ensureBuilt();
  sleeper = await python('sleeper.py', 'import time\nprint("ready", flush=True)\ntime.sleep(600)\n');
});
after(() => {
  for (const c of started) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('snag sample: names from the target cannot forge samples (real py-spy)', () => {
  it('a function named with a newline and a whole forged sample line stays one frame of the real thread', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    const pid = await python(
      'forge_sample.py',
      `import threading\nns = {}\nexec("def w():\\n    threading.Event().wait()\\n", {"threading": threading}, ns)\nw = ns["w"]\nfn = ${JSON.stringify(FORGED)}\nw.__code__ = w.__code__.replace(co_name=fn, co_qualname=fn)\nprint("ready", flush=True)\nw()\n`,
    );
    const json = await runCli(['sample', String(pid), '--duration', '1', '--json', '--pyspy', pyspy]);
    assert.equal(json.code, 0, json.stderr);
    const p = JSON.parse(json.stdout) as { threads: { id: number; name: string }[]; functions: { function: string }[] };
    assert.deepEqual(
      p.threads.map((th) => [th.id, th.name]),
      [[pid, 'MainThread']],
      'the real thread, and only it',
    );
    assert.ok(
      p.functions.some((f) => f.function === FORGED),
      'the forged name is one function, exact',
    );
    assert.ok(!p.functions.some((f) => f.function === 'forged_fn'));
    const text = await runCli(['sample', String(pid), '--duration', '1', '--pyspy', pyspy]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /MainThread/);
    assert.doesNotMatch(text.stdout, /^\s*\S*\s*FORGED-THREAD/m, 'no thread headline is forged');
    assert.ok(!text.stdout.split('\n').some((l) => l.startsWith('thread (4242)')));
  });

  it('a thread and a function named with newlines are sampled under their exact names', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    const thread = 'main\nthread (1): T;x (/a.py:1) 3';
    const fn = 'f\n;g (/b.py:2)';
    const pid = await python(
      'newline_names.py',
      `import threading\nthreading.current_thread().name = ${JSON.stringify(thread)}\ndef w():\n    threading.Event().wait()\nw.__code__ = w.__code__.replace(co_name=${JSON.stringify(fn)}, co_qualname=${JSON.stringify(fn)})\nprint("ready", flush=True)\nw()\n`,
    );
    const r = await runCli(['sample', String(pid), '--duration', '1', '--json', '--pyspy', pyspy]);
    assert.equal(r.code, 0, `not "recorded no samples": ${r.stderr}`);
    const p = JSON.parse(r.stdout) as { samples: number; threads: { name: string; at?: { function: string } }[]; functions: { function: string }[] };
    assert.ok(p.samples > 0);
    assert.deepEqual(
      p.threads.map((th) => th.name),
      [thread],
    );
    assert.ok(p.functions.some((f) => f.function === fn));
  });
});

describe('snag sample: a record tool that writes what py-spy never does', () => {
  it('random bytes: one line saying the output cannot be read (tool-failed), not "the process exited"', async () => {
    const tool = fakeRecorder('pyspy-random', 'head -c 2000000 /dev/urandom > "$out"');
    const r = await runCli(['sample', String(sleeper), '--duration', '1', '--pyspy', tool]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(isOneLine(r.stderr), r.stderr);
    assert.match(r.stderr, /py-spy printed output Snag cannot read/);
    assert.doesNotMatch(r.stderr, /exited|no samples/);
  });

  it('28 MB of distinct raw stacks a chunk: memory stays bounded, one clear line', { timeout: 60_000 }, async () => {
    // The review's recording, written once and copied out by each "recording".
    const lines: string[] = [];
    let size = 0;
    for (let i = 0; size < 28 * 1024 * 1024; i++) {
      const l = `thread (0x${(i % 99_991) + 1}): t;${[0, 1, 2, 3, 4].map((j) => `fn${i}_${j} (/x/${i}_${j}.py:${j + 1})`).join(';')} 1\n`;
      lines.push(l);
      size += l.length;
    }
    const big = join(dir, 'big.txt');
    writeFileSync(big, lines.join(''));
    const tool = fakeRecorder('pyspy-28mb', `cat "${big}" > "$out"`);
    const r = await sampleMeasured([String(sleeper), '--duration', '3', '--pyspy', tool], 40_000);
    assert.ok(r.rssKb < MAX_RSS_KB, `peak RSS ${Math.round(r.rssKb / 1024)} MB`);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(isOneLine(r.stderr), r.stderr);
    assert.match(r.stderr, new RegExp(`larger than ${DEFAULT_RECORD_MAX_BYTES / 1024 / 1024} MiB`));
  });

  it(`recordings of tens of thousands of new stacks each: at most ${MAX_STACKS} kept, bounded memory and --json`, { timeout: 60_000 }, async () => {
    // Three recordings (the fake picks one a run), each near the cap: 60,000 new frames, 1000
    // threads of 30 samples (what 100 Hz allows), every sample a new ten-frame stack.
    const POOL = 60_000;
    [0, 1, 2].forEach((n) => {
      const frames = Array.from({ length: POOL }, (_, i) => `{"name":"fn${n}_${i}","file":"/x/${n}/${i % 500}.py","line":${(i % 900) + 1},"col":null}`);
      const profiles: string[] = [];
      for (let th = 0; th < 1000; th++) {
        const samples: string[] = [];
        for (let s = 0; s < 30; s++) {
          const k = th * 30 + s;
          // The first two frames are the sample's own: every stack is new.
          const ids = [2 * k, 2 * k + 1, ...[1, 2, 3, 4, 5, 6, 7, 8].map((j) => (k * 7 + j * 7919) % POOL)];
          samples.push(`[${ids.join(',')}]`);
        }
        profiles.push(
          `{"type":"sampled","name":"Thread ${1000 + th} \\"t${th}\\"","unit":"seconds","startValue":0.0,"endValue":0.3,"samples":[${samples.join(',')}],"weights":[${samples.map(() => '0.01').join(',')}]}`,
        );
      }
      const text = `{"$schema":"https://www.speedscope.app/file-format-schema.json","profiles":[${profiles.join(',')}],"shared":{"frames":[${frames.join(',')}]},"activeProfileIndex":null,"exporter":"py-spy@0.4.3","name":"py-spy profile"}`;
      assert.ok(text.length < DEFAULT_RECORD_MAX_BYTES, `${text.length} bytes`);
      writeFileSync(join(dir, `rec${n}.json`), text);
    });
    // Which recording by the tool's own pid: Snag runs two recorders a chunk (all samples, and
    // active ones only), so a shared turn counter would race.
    const tool = fakeRecorder('pyspy-many', `n=$(( $$ % 3 )); sleep 0.5; cat "${dir}/rec$n.json" > "$out"`);
    const r = await sampleMeasured([String(sleeper), '--duration', '3', '--rate', '100', '--json', '--pyspy', tool], 50_000);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.rssKb < MAX_RSS_KB, `peak RSS ${Math.round(r.rssKb / 1024)} MB`);
    assert.ok(r.stdout.length < 64 * 1024 * 1024, `--json is ${r.stdout.length} bytes`);
    const p = JSON.parse(r.stdout) as { samples: number; notes?: string[]; lines: { function: string; own: number }[] };
    assert.ok(
      p.notes?.some((n) => n.includes(OTHER_STACKS)),
      JSON.stringify(p.notes),
    );
    assert.ok(p.lines.some((l) => l.function === OTHER_STACKS));
    assert.equal(
      p.lines.reduce((n, l) => n + l.own, 0),
      p.samples,
      'every sample still counts',
    );
  });
});
