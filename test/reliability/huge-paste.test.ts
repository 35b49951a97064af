// A 50 MB paste or file (a log pasted by mistake, a dump of every thread of a huge server) never
// reaches a parser: the paste is refused by its size, the file by stat() before a byte is read, and
// each message names the size and the cap. A paste within the cap is parsed with turns for the
// event loop (the extension host stays responsive), whatever its lines look like.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SnagError } from '../../src/core/errors';
import { SourceMapper } from '../../src/core/mapping/sourceMap';
import { openDump, type DumpInput } from '../../src/core/open/openDump';
import { MAX_OPEN_BYTES } from '../../src/core/open/openLimits';

const open = (input: DumpInput, name: string) => openDump(input, { mapper: new SourceMapper({ workspaceRoots: [tmpdir()] }), name, from: 'paste' });
const FIFTY_MB = 50 * 1024 * 1024;
// py-spy text with one line of 1 MB per thread: the kind of input that hurts a parser that splits it all at once.
const header = 'Process 4242: python3 app.py\nPython v3.11.2 (/usr/bin/python3.11)\n\n';
const thread = (i: number, width: number) => `Thread ${1000 + i} (idle): "worker-${i}"\n    wait (app.py:${i + 1})\n    ${'x'.repeat(width)}\n\n`;

async function refusal(input: DumpInput, name: string): Promise<string> {
  const err = await open(input, name).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(SnagError.is(err, 'bad-input'), `refused as bad input: ${String(err)}`);
  return err.message;
}

describe('a huge paste', () => {
  it('a 50 MB paste is refused by its size, naming it and the cap', async () => {
    const text = header + thread(0, FIFTY_MB);
    assert.match(await refusal({ kind: 'text', text }, 'pasted text'), /^pasted text is 50(\.0)? MiB: Snag opens dumps of at most 32 MiB\./);
  });

  it('a 50 MB file is refused before it is read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snag-huge-'));
    try {
      const file = join(dir, 'dump.txt');
      writeFileSync(file, header + thread(0, FIFTY_MB));
      assert.match(await refusal({ kind: 'file', path: file }, 'dump.txt'), /^dump\.txt is 50(\.0)? MiB: Snag opens dumps of at most 32 MiB/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('just under the cap, with megabyte-long lines: parsed with turns for the event loop', async () => {
    const width = 1024 * 1024;
    const count = Math.floor((MAX_OPEN_BYTES - header.length) / (width + 200)) - 1;
    const text = header + Array.from({ length: count }, (_, i) => thread(i, width)).join('');
    assert.ok(Buffer.byteLength(text) < MAX_OPEN_BYTES && Buffer.byteLength(text) > 30 * 1024 * 1024);
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    try {
      const d = await open({ kind: 'text', text }, 'pasted text');
      assert.equal(d.threads.length, count);
      assert.equal(d.threads[3]?.frames[0]?.function, 'wait');
      assert.equal(d.threads[3]?.frames[0]?.line, 4);
    } finally {
      clearInterval(ticker);
    }
    assert.ok(turns > 0, 'timers ran while the paste was parsed');
  });
});
