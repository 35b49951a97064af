// The checks Snag makes on a core before gdb reads it: an ELF core at all, every segment in the
// file (a core cut short by a full disk or `ulimit -c`), at least one thread. Built byte by byte:
// real cores are hundreds of MB (test/integration/core-files.test.ts takes and reads real ones).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SnagError } from '../../../src/core/errors';
import { incompleteCore, readCoreFacts } from '../../../src/core/coredump/coreNotes';

const dir = mkdtempSync(join(tmpdir(), 'snag-core-notes-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** An ELF64 core: one PT_NOTE holding `threads` NT_PRSTATUS notes, one PT_LOAD claiming `loadBytes`. */
function core(name: string, threads: number, loadBytes: number, extra = 0): string {
  const note = Buffer.alloc(12 + 8 + 336);
  note.writeUInt32LE(5, 0); // "CORE\0"
  note.writeUInt32LE(336, 4);
  note.writeUInt32LE(1, 8); // NT_PRSTATUS
  note.write('CORE', 12, 'latin1');
  note.writeUInt32LE(4242, 20 + 32); // pr_pid
  const notes = Buffer.concat(Array.from({ length: threads }, () => note));
  const header = Buffer.alloc(64 + 2 * 56);
  header.writeUInt32BE(0x7f454c46, 0);
  header[4] = 2;
  header[5] = 1;
  header.writeUInt16LE(4, 16); // ET_CORE
  header.writeBigUInt64LE(64n, 0x20);
  header.writeUInt16LE(56, 0x36);
  header.writeUInt16LE(2, 0x38);
  const noteOff = header.length;
  header.writeUInt32LE(4, 64); // PT_NOTE
  header.writeBigUInt64LE(BigInt(noteOff), 64 + 8);
  header.writeBigUInt64LE(BigInt(notes.length), 64 + 32);
  header.writeUInt32LE(1, 120); // PT_LOAD
  header.writeBigUInt64LE(BigInt(noteOff + notes.length), 120 + 8);
  header.writeBigUInt64LE(BigInt(loadBytes), 120 + 32);
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([header, notes, Buffer.alloc(extra)]));
  return path;
}

describe('core file checks', () => {
  it('a complete core: its threads and pid', async () => {
    const f = await readCoreFacts(core('whole', 3, 4096, 4096));
    assert.equal(f.threads, 3);
    assert.equal(f.pid, 4242);
    assert.equal(incompleteCore(f), undefined);
  });

  it('a core cut short says by how much', async () => {
    const f = await readCoreFacts(core('cut', 2, 1 << 20, 4096));
    assert.match(incompleteCore(f) ?? '', /cut short: its segments need \d+ bytes and the file has \d+/);
  });

  it('a core with no thread', async () => {
    assert.match(incompleteCore(await readCoreFacts(core('empty', 0, 0))) ?? '', /holds no thread/);
  });

  it('not an ELF file, and not a core', async () => {
    const text = join(dir, 'text');
    writeFileSync(text, 'Thread 1 (idle): "MainThread"\n'.repeat(10));
    await assert.rejects(readCoreFacts(text), (e) => SnagError.is(e, 'bad-input') && /not a core file \(not an ELF file\)/.test(e.message));
    await assert.rejects(readCoreFacts('/bin/sh'), (e) => SnagError.is(e, 'bad-input') && /ELF file but not a core file/.test(e.message));
  });
});
