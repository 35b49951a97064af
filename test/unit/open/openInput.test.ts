// What `snag open` says about input that is not a dump, and how it bounds a huge one: one clear
// message naming what was (not) recognised; a paste over the cap is refused before it is parsed; a
// big paste within it is read line by line, giving the event loop its turns, within the thread cap.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { main } from '../../../src/cli/main';
import { SnagError } from '../../../src/core/errors';
import { SourceMapper } from '../../../src/core/mapping/sourceMap';
import { openDump, type DumpInput } from '../../../src/core/open/openDump';
import { MAX_OPEN_BYTES, MAX_OPEN_THREADS } from '../../../src/core/open/openLimits';
import { PROGRAMS, REPO } from '../../support/programs';

const OUTPUTS = join(REPO, 'test', 'fixtures', 'outputs');
const recorded = (name: string) => readFileSync(join(OUTPUTS, name), 'utf8');
const mapper = () => new SourceMapper({ workspaceRoots: [PROGRAMS] });
const open = (input: DumpInput, name = 'pasted text') => openDump(input, { mapper: mapper(), name, from: 'paste' });

async function refusal(input: DumpInput): Promise<string> {
  const err = await open(input).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(SnagError.is(err, 'bad-input'), `refused as bad input: ${String(err)}`);
  return err.message;
}

describe('snag open: input that is not a dump', () => {
  it('text with no mark of any format: the formats Snag reads, what the text starts with, and asyncio ps not yet', async () => {
    const msg = await refusal({ kind: 'text', text: 'hello world\nthis is not a dump\n' });
    assert.match(msg, /found no stack dump in pasted text/);
    assert.match(msg, /py-spy dump/);
    assert.match(msg, /faulthandler/);
    assert.match(msg, /starts with "hello world"/);
    assert.match(msg, /asyncio ps/);
  });

  it('empty input', async () => {
    assert.match(await refusal({ kind: 'text', text: '  \n\n' }), /is empty/);
  });

  it('JSON that is neither format, and JSON cut short', async () => {
    assert.match(await refusal({ kind: 'text', text: '{"hello": 1}' }), /is JSON, but neither a saved Snag dump .* nor py-spy dump --json/);
    const cut = recorded('open-pyspy-socket-recv.json').slice(0, 500);
    assert.match(await refusal({ kind: 'text', text: cut }), /breaks off before its end/);
  });

  it('a saved Snag dump with a wrong field names the field', async () => {
    const d = JSON.parse(recorded('open-snag-deadlock.json')) as { threads: { frames: { line: unknown }[] }[] };
    d.threads[0]!.frames[0]!.line = 'twelve';
    assert.match(
      await refusal({ kind: 'text', text: JSON.stringify(d) }),
      /looks like a saved Snag dump .*thread 1, frame 1: line should be a number, is text/,
    );
  });

  it('a format recognised by its header with no stack in it says which format and which line was not read', async () => {
    const msg = await refusal({ kind: 'text', text: 'Process 12: python3 app.py\nPython v3.11.7 (/usr/bin/python3.11)\n\nsomething else\n' });
    assert.match(msg, /looks like py-spy dump text, but Snag found no stack in it: 1 line was not recognised .*line 4: "something else"/);
  });

  it('lines it skips within a dump are counted in a note, the rest is read', async () => {
    const text = `$ py-spy dump --pid 10620\n${recorded('open-pyspy-deadlock-locals.txt')}`;
    const d = await open({ kind: 'text', text });
    assert.equal(d.threads.length, 3);
    assert.ok(
      d.notes?.some((n) => /1 line was not recognised and skipped \(the first, line 1: "\$ py-spy dump --pid 10620"\)/.test(n)),
      JSON.stringify(d.notes),
    );
  });

  it('a missing file', async () => {
    assert.match(await refusal({ kind: 'file', path: join(OUTPUTS, 'no-such-dump.txt') }), /Cannot open .*no such file/);
  });
});

describe('snag open: a huge paste', () => {
  it('over the cap: refused before parsing, naming its size and the cap', async () => {
    const block = recorded('open-faulthandler-deadlock-py38.txt');
    const text = block.repeat(Math.ceil((MAX_OPEN_BYTES + 1024 * 1024) / block.length));
    const msg = await refusal({ kind: 'text', text });
    assert.match(msg, /pasted text is \d+(\.\d)? MiB: Snag opens dumps of at most 32 MiB/);
  });

  it('over the cap on standard input: reading stops at the cap', async () => {
    let served = 0;
    const chunk = Buffer.alloc(1024 * 1024, '  File "app.py", line 1 in f\n');
    const stream = Readable.from(
      (function* () {
        // An endless faulthandler dump: only the cap ends it.
        yield Buffer.from('Thread 0x00007f4022dde6c0 (most recent call first):\n');
        for (;;) {
          served += chunk.length;
          yield chunk;
        }
      })(),
    );
    const msg = await refusal({ kind: 'stream', stream });
    assert.match(msg, /is over 32 MiB/);
    assert.ok(served <= MAX_OPEN_BYTES + 4 * chunk.length, `read ${served} bytes`);
  });

  it('within the cap: read line by line with turns for the event loop, threads capped with a note', async () => {
    // Real faulthandler threads, many times over (about 10 MB, more threads than the cap).
    const block =
      recorded('open-faulthandler-later-many-waiters-py312.txt')
        .split('\n\n')[0]!
        .replace(/^ready\nTimeout.*\n/, '') + '\n\n';
    const copies = MAX_OPEN_THREADS + 500;
    const text = block.repeat(copies);
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    try {
      const d = await open({ kind: 'text', text });
      assert.equal(d.threads.length, MAX_OPEN_THREADS);
      assert.ok(
        d.notes?.some((n) => new RegExp(`Only the first ${MAX_OPEN_THREADS} threads were kept; 500 more`).test(n)),
        JSON.stringify(d.notes),
      );
      // The threads waiting alike are one finding, not thousands.
      assert.ok(d.findings.length < 5, `${d.findings.length} findings`);
    } finally {
      clearInterval(ticker);
    }
    assert.ok(turns > 0, 'timers ran while the paste was parsed');
  });
});

describe('snag open (the CLI)', () => {
  const io = () => {
    let out = '';
    let err = '';
    return { io: { out: (s: string) => void (out += s), err: (s: string) => void (err += s), isTTY: false }, out: () => out, err: () => err };
  };

  it('snag open FILE --root DIR prints the dump with findings and mapped paths', async () => {
    const c = io();
    const code = await main(['open', join(OUTPUTS, 'open-gdb-deadlock-py-bt.txt'), '--root', PROGRAMS], c.io);
    assert.equal(code, 0, c.err());
    assert.match(c.out(), /^Process \d+ · gdb \(py-bt\)/);
    assert.match(c.out(), /error: .* a deadlock/);
    assert.ok(c.out().includes(join(PROGRAMS, 'deadlock.py')));
  });

  it('snag open - --json reads standard input and keeps where the dump came from', async () => {
    const c = io();
    const stdin = Readable.from([recorded('open-traceback-socket-recv-sigint.txt')]);
    const code = await main(['open', '-', '--json', '--root', PROGRAMS], { ...c.io, stdin } as Parameters<typeof main>[1]);
    assert.equal(code, 0, c.err());
    const d = JSON.parse(c.out()) as { opened: { from: string; format: string; name: string }; backend: string; findings: { kind: string }[] };
    assert.deepEqual(d.opened, { from: 'paste', name: 'standard input', format: 'traceback', formatLabel: 'a Python traceback' });
    assert.equal(d.backend, 'python');
    assert.ok(d.findings.some((f) => f.kind === 'socket-wait'));
  });

  it('not a dump: exit code 2 and one line', async () => {
    const c = io();
    const stdin = Readable.from(['just some words\n']);
    const code = await main(['open', '-'], { ...c.io, stdin } as Parameters<typeof main>[1]);
    assert.equal(code, 2);
    assert.equal(c.err().trim().split('\n').length, 1);
    assert.match(c.err(), /^snag: Snag found no stack dump in standard input/);
  });
});
