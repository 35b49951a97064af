// What a core file says about the process it came from, read from its ELF notes without reading
// its memory: the pid and command (NT_PRPSINFO), one NT_PRSTATUS per thread, the mapped files
// (NT_FILE: the executable is the lowest mapping), and whether every segment the headers promise
// is in the file (a core cut short by a full disk or `ulimit -c` is not).
import { open } from 'node:fs/promises';
import { SnagError } from '../errors';

export interface CoreFacts {
  pid?: number;
  /** pr_fname: the executable's name as the kernel knew it (15 characters at most). */
  command?: string;
  /** pr_psargs: the start of the command line (80 characters at most). */
  args?: string;
  threads: number;
  /** Files mapped into the process, lowest address first. */
  files: string[];
  /** The executable: the lowest file mapping. */
  executable?: string;
  /** Bytes the segments need and bytes the file has (complete when have >= need). */
  needBytes: number;
  haveBytes: number;
}

const PT_LOAD = 1;
const PT_NOTE = 4;
const NT_PRSTATUS = 1;
const NT_PRPSINFO = 3;
const NT_FILE = 0x46494c45;
const MAX_NOTES_BYTES = 64 * 1024 * 1024;

function cString(buf: Buffer, start: number, len: number): string {
  const end = buf.indexOf(0, start);
  return buf.toString('utf8', start, end < 0 || end > start + len ? start + len : end).trim();
}

export async function readCoreFacts(path: string): Promise<CoreFacts> {
  const fh = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
    throw new SnagError('bad-input', `Cannot open the core file ${path}: ${err.code === 'ENOENT' ? 'no such file' : err.message}.`);
  });
  try {
    const size = (await fh.stat()).size;
    const head = Buffer.alloc(64);
    await fh.read(head, 0, 64, 0);
    if (head.readUInt32BE(0) !== 0x7f454c46) throw new SnagError('bad-input', `${path} is not a core file (not an ELF file).`);
    if (head[4] !== 2 || head[5] !== 1) throw new SnagError('bad-input', `${path} is not a 64-bit little-endian core file, which is what Snag reads.`);
    if (head.readUInt16LE(16) !== 4) throw new SnagError('bad-input', `${path} is an ELF file but not a core file (ELF type ${head.readUInt16LE(16)}).`);
    const phoff = Number(head.readBigUInt64LE(0x20));
    const phentsize = head.readUInt16LE(0x36);
    const phnum = head.readUInt16LE(0x38);
    const ph = Buffer.alloc(phentsize * phnum);
    await fh.read(ph, 0, ph.length, phoff);
    const facts: CoreFacts = { threads: 0, files: [], needBytes: 0, haveBytes: size };
    const notes: { offset: number; size: number }[] = [];
    for (let i = 0; i < phnum; i++) {
      const o = i * phentsize;
      const type = ph.readUInt32LE(o);
      const offset = Number(ph.readBigUInt64LE(o + 8));
      const filesz = Number(ph.readBigUInt64LE(o + 32));
      if (type === PT_NOTE) notes.push({ offset, size: filesz });
      if (type === PT_LOAD || type === PT_NOTE) facts.needBytes = Math.max(facts.needBytes, offset + filesz);
    }
    let mappings: { start: bigint; name: string }[] = [];
    for (const n of notes) {
      if (n.size > MAX_NOTES_BYTES || n.offset + n.size > size) continue;
      const buf = Buffer.alloc(n.size);
      await fh.read(buf, 0, n.size, n.offset);
      for (let p = 0; p + 12 <= buf.length;) {
        const namesz = buf.readUInt32LE(p);
        const descsz = buf.readUInt32LE(p + 4);
        const type = buf.readUInt32LE(p + 8);
        const desc = p + 12 + Math.ceil(namesz / 4) * 4;
        if (desc + descsz > buf.length) break;
        const owner = buf.toString('latin1', p + 12, p + 12 + Math.max(0, namesz - 1));
        if (owner === 'CORE') {
          if (type === NT_PRSTATUS) {
            facts.threads++;
            facts.pid ??= buf.readUInt32LE(desc + 32);
          } else if (type === NT_PRPSINFO && descsz >= 136) {
            facts.pid = buf.readUInt32LE(desc + 24);
            facts.command = cString(buf, desc + 40, 16);
            facts.args = cString(buf, desc + 56, 80);
          } else if (type === NT_FILE) {
            const count = Number(buf.readBigUInt64LE(desc));
            let names = desc + 16 + count * 24;
            for (let k = 0; k < count && names < desc + descsz; k++) {
              const end = buf.indexOf(0, names);
              const name = buf.toString('utf8', names, end < 0 ? desc + descsz : end);
              mappings.push({ start: buf.readBigUInt64LE(desc + 16 + k * 24), name });
              names = (end < 0 ? desc + descsz : end) + 1;
            }
          }
        }
        p = desc + Math.ceil(descsz / 4) * 4;
      }
    }
    mappings = mappings.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    facts.files = [...new Set(mappings.map((m) => m.name))];
    facts.executable = mappings[0]?.name;
    return facts;
  } finally {
    await fh.close();
  }
}

/** Why a core cannot be complete, or undefined when every segment is in the file. */
export function incompleteCore(facts: CoreFacts): string | undefined {
  if (facts.threads === 0) return 'it holds no thread (no NT_PRSTATUS note)';
  if (facts.haveBytes < facts.needBytes) return `it is cut short: its segments need ${facts.needBytes} bytes and the file has ${facts.haveBytes}`;
  return undefined;
}
