// `snag open FILE|-`: a saved or pasted dump (py-spy, gdb, faulthandler, a traceback, Snag's own
// JSON) shown like a live one: mapped to the source under --root, with findings.
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SnagError } from '../core/errors';
import { dumpJsonChunks, writeChunks } from '../core/format/dumpJsonStream';
import { dumpToText } from '../core/format/dumpText';
import { SourceMapper } from '../core/mapping/sourceMap';
import type { PathMapping, StackDump } from '../core/model';
import { openDump, type DumpInput } from '../core/open/openDump';
import { requireValues, rootFolder } from './options';

export const OPEN_USAGE = `  snag open FILE|- [--json] [--root DIR] [--map REMOTE=LOCAL]
                                              a saved or pasted dump (- reads standard input):
                                              snag dump --json, py-spy dump (text, --json, --locals),
                                              a traceback, faulthandler, gdb bt / py-bt output`;

export interface OpenIo {
  out: (s: string) => void;
  write?: (s: string) => Promise<void>;
  isTTY: boolean;
  signal?: AbortSignal;
  /** Standard input, for `snag open -` (tests hand their own). */
  stdin?: AsyncIterable<string | Buffer>;
}

/** Prints a dump as `snag dump` does: JSON thread by thread, or text. */
export async function printDump(d: StackDump, json: boolean | undefined, io: OpenIo): Promise<void> {
  if (json) return writeChunks(dumpJsonChunks(d), io.write ?? (async (s) => io.out(s)));
  io.out(dumpToText(d, { highlight: io.isTTY ? (s) => `\x1b[1m${s}\x1b[0m` : undefined }));
}

export async function openCommand(args: string[], io: OpenIo, parseMapping: (spec: string) => PathMapping): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, root: { type: 'string' }, map: { type: 'string', multiple: true } },
  });
  requireValues(values);
  if (positionals.length !== 1)
    throw new SnagError('bad-input', `open takes one file (or - for standard input), got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`);
  const spec = positionals[0]!;
  const root = rootFolder(values.root);
  const mapper = new SourceMapper({ workspaceRoots: [root], mappings: (values.map ?? []).map(parseMapping) });
  const input: DumpInput = spec === '-' ? { kind: 'stream', stream: io.stdin ?? process.stdin } : { kind: 'file', path: resolve(spec) };
  const d = await openDump(input, { mapper, name: spec === '-' ? 'standard input' : basename(spec), from: spec === '-' ? 'paste' : 'file', signal: io.signal });
  await printDump(d, values.json, io);
}
