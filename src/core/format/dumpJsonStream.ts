// `snag dump --json` in pieces: the very text `JSON.stringify(dumpToJson(d), null, 2) + '\n'` gives,
// byte for byte, but one thread at a time, so a dump of 150,000 threads is never one string of
// hundreds of MB (nor a second copy of every thread as plain objects) in memory.
//
// JSON.stringify with an indent of 2 writes a value nested n levels deep as its own stringify with
// every line break followed by 2n more spaces (a line break inside a string is always escaped as
// `\n`, so each raw one is the layout's); an empty array or object stays `[]` / `{}`.
import type { StackDump } from '../model';
import { dumpToJson, threadToJson } from './dumpText';

/** `value` as JSON.stringify(…, null, 2) writes it `depth` levels deep. */
function nested(value: unknown, depth: number): string {
  return JSON.stringify(value, null, 2).replace(/\n/g, `\n${'  '.repeat(depth)}`);
}

/** The dump's JSON in order, a thread a piece; joined, exactly `JSON.stringify(dumpToJson(d), null, 2) + '\n'`. */
export function* dumpJsonChunks(d: StackDump): Generator<string> {
  // Everything but the threads, in the contract's key order (threads as [] keeps its place).
  const head = dumpToJson({ ...d, threads: [] }) as Record<string, unknown>;
  let first = true;
  yield '{';
  for (const [key, value] of Object.entries(head)) {
    // JSON.stringify leaves out keys whose value has no JSON (undefined).
    if (value === undefined) continue;
    yield `${first ? '' : ','}\n  ${JSON.stringify(key)}: `;
    first = false;
    if (key !== 'threads' || d.threads.length === 0) {
      yield nested(value, 1);
      continue;
    }
    yield '[';
    for (let i = 0; i < d.threads.length; i++) yield `${i ? ',' : ''}\n    ${nested(threadToJson(d.threads[i]!), 2)}`;
    yield '\n  ]';
  }
  yield first ? '}\n' : '\n}\n';
}

/**
 * Writes the pieces through `write` in slices of about `sliceBytes`, waiting for each write to be
 * taken (a pipe's reader slower than Snag holds Snag back instead of growing its buffer).
 */
export async function writeChunks(chunks: Iterable<string>, write: (s: string) => Promise<void>, sliceBytes = 64 * 1024): Promise<void> {
  let slice = '';
  for (const chunk of chunks) {
    slice += chunk;
    if (slice.length >= sliceBytes) {
      await write(slice);
      slice = '';
    }
  }
  if (slice) await write(slice);
}
