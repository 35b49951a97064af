// Opening a saved or pasted dump: read it within a byte cap, line by line (a 30 MB paste is never
// copied whole again, and the event loop gets a turn every few thousand lines), recognise its
// format, parse it into a StackDump, then the usual pipeline: source mapping and findings.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { SnagError } from '../errors';
import { diagnose } from '../findings/diagnose';
import type { SourceMapper } from '../mapping/sourceMap';
import type { OpenedFormat, OpenedFrom, StackDump } from '../model';
import { safeText } from '../text/safeText';
import { formatBytes } from '../validate/limits';
import { detectFormat, FORMAT_LABELS, KNOWN_FORMATS } from './detectFormat';
import { FaulthandlerParser } from './faulthandler';
import { GdbTextParser } from './gdbText';
import { isPySpyJson, isSnagJson, parsePySpyJsonDump, parseSnagJsonDump } from './jsonDumps';
import { DETECT_HEAD_CHARS, LINES_PER_YIELD, MAX_LINE_CHARS, MAX_OPEN_BYTES, MAX_OPEN_JSON_BYTES } from './openLimits';
import type { LineParser, ParsedDump } from './parsedDump';
import { PySpyTextParser } from './pyspyText';
import { TracebackParser } from './traceback';

export type DumpInput =
  | { kind: 'text'; text: string }
  | { kind: 'file'; path: string }
  /** Standard input or any stream of text (`snag open -`). */
  | { kind: 'stream'; stream: AsyncIterable<string | Buffer> };

export interface OpenOptions {
  mapper: SourceMapper;
  /** For titles and messages: the file's name, `pasted text`, `standard input`. */
  name: string;
  from: 'file' | 'paste';
  signal?: AbortSignal;
}

const CHUNK_CHARS = 1024 * 1024;

function tooLarge(name: string, size: number | undefined, cap: number, what: string): SnagError {
  return new SnagError(
    'bad-input',
    `${name} is ${size === undefined ? `over ${formatBytes(cap)}` : formatBytes(size)}: Snag opens ${what} of at most ${formatBytes(cap)}. Keep the threads you need (or the first part of the dump) and open that.`,
  );
}

/** The encoding of a file from its first bytes: UTF-16 by its BOM or its NULs, else UTF-8. */
export function textEncoding(first: Uint8Array): 'utf-8' | 'utf-16le' | 'utf-16be' {
  if (first[0] === 0xff && first[1] === 0xfe) return 'utf-16le';
  if (first[0] === 0xfe && first[1] === 0xff) return 'utf-16be';
  if (first.length >= 4 && first[0] !== 0 && first[1] === 0 && first[2] !== 0 && first[3] === 0) return 'utf-16le';
  if (first.length >= 4 && first[0] === 0 && first[1] !== 0 && first[2] === 0 && first[3] !== 0) return 'utf-16be';
  return 'utf-8';
}

/** The input as text chunks, stopping with a clear message past the cap. */
async function* chunksOf(input: DumpInput, name: string, read: { bytes: number }, signal?: AbortSignal): AsyncGenerator<string> {
  if (input.kind === 'text') {
    const bytes = (read.bytes = Buffer.byteLength(input.text, 'utf8'));
    if (bytes > MAX_OPEN_BYTES) throw tooLarge(name, bytes, MAX_OPEN_BYTES, 'dumps');
    for (let i = 0; i < input.text.length; i += CHUNK_CHARS) yield input.text.slice(i, i + CHUNK_CHARS);
    return;
  }
  let stream: AsyncIterable<string | Buffer>;
  if (input.kind === 'file') {
    const size = await stat(input.path).then(
      (s) => (s.isFile() ? s.size : -1),
      (err: NodeJS.ErrnoException) => {
        throw new SnagError(
          'bad-input',
          `Cannot open ${name}: ${err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.message}.`,
        );
      },
    );
    if (size < 0) throw new SnagError('bad-input', `Cannot open ${name}: it is not a file.`);
    if (size > MAX_OPEN_BYTES) throw tooLarge(name, size, MAX_OPEN_BYTES, 'dumps');
    stream = createReadStream(input.path, { highWaterMark: CHUNK_CHARS, signal });
  } else stream = input.stream;
  let decoder: InstanceType<typeof TextDecoder> | undefined;
  let total = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    total += buf.length;
    read.bytes = total;
    if (total > MAX_OPEN_BYTES) throw tooLarge(name, undefined, MAX_OPEN_BYTES, 'dumps');
    // PowerShell's `>` and Windows editors save UTF-16: its BOM (or ASCII with NUL bytes) says so.
    decoder ??= new TextDecoder(textEncoding(buf));
    yield decoder.decode(buf, { stream: true });
  }
  const rest = decoder?.decode() ?? '';
  if (rest) yield rest;
}

function checkCancelled(signal?: AbortSignal): void {
  if (signal?.aborted) throw new SnagError('cancelled', 'Opening the dump was cancelled.');
}

function parserFor(format: OpenedFormat): LineParser {
  switch (format) {
    case 'py-spy-text':
      return new PySpyTextParser();
    case 'faulthandler':
      return new FaulthandlerParser();
    case 'gdb-text':
      return new GdbTextParser();
    default:
      return new TracebackParser();
  }
}

function opening(text: string): string {
  const first = text.trimStart().split('\n')[0] ?? '';
  return `"${safeText(first.slice(0, 60))}${first.length > 60 ? '…' : ''}"`;
}

/** Reads and parses the input: the format it was recognised as, and its stacks. */
export async function parseDumpInput(input: DumpInput, name: string, signal?: AbortSignal): Promise<{ format: OpenedFormat; parsed: ParsedDump }> {
  // The bytes read so far (all of a text at once): counted once, not again for the JSON cap.
  const read = { bytes: 0 };
  const chunks = chunksOf(input, name, read, signal);
  let head = '';
  let done = false;
  while (head.length < DETECT_HEAD_CHARS) {
    const next = await chunks.next();
    if (next.done) {
      done = true;
      break;
    }
    head += next.value;
  }
  if (!head.trim()) throw new SnagError('bad-input', `${name} is empty: there is no dump in it.`);
  const { format } = detectFormat(head.slice(0, DETECT_HEAD_CHARS));
  if (format === 'unknown')
    throw new SnagError(
      'bad-input',
      `Snag found no stack dump in ${name}: it reads ${KNOWN_FORMATS}, and this text, which starts with ${opening(head)}, has none of their marks (no thread headers such as Thread 123 (idle): "MainThread", no frames such as File "app.py", line 12). A "python -m asyncio ps" table (Python 3.14) is not read yet.`,
    );

  if (format === 'snag-json' || format === 'py-spy-json') {
    // A text in hand is parsed as it is, not cut into chunks and joined again.
    let text = input.kind === 'text' ? input.text : head;
    while (!done && input.kind !== 'text') {
      const next = await chunks.next();
      if (next.done) break;
      text += next.value;
      if (read.bytes > MAX_OPEN_JSON_BYTES) throw tooLarge(name, undefined, MAX_OPEN_JSON_BYTES, 'JSON dumps');
    }
    if (read.bytes > MAX_OPEN_JSON_BYTES) throw tooLarge(name, read.bytes, MAX_OPEN_JSON_BYTES, 'JSON dumps');
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      const cut = err instanceof Error && /end of JSON|Unterminated/i.test(err.message);
      throw new SnagError(
        'bad-input',
        `${name} starts like JSON (${opening(text)}) but ${cut ? 'breaks off before its end (cut short?)' : 'is not valid JSON'}: Snag reads JSON saved by snag dump --json or printed by py-spy dump --json, whole.`,
      );
    }
    if (isSnagJson(data)) return { format: 'snag-json', parsed: parseSnagJsonDump(data) };
    if (isPySpyJson(data)) return { format: 'py-spy-json', parsed: parsePySpyJsonDump(text, data) };
    throw new SnagError(
      'bad-input',
      `${name} is JSON, but neither a saved Snag dump (an object with "threads" and "takenAt", as snag dump --json writes) nor py-spy dump --json output (a list of threads with "thread_id" and "frames").`,
    );
  }

  const parser = parserFor(format);
  let carry = '';
  let n = 0;
  const feed = async (text: string, last: boolean) => {
    const parts = (carry + text).split('\n');
    carry = last ? '' : parts.pop()!;
    for (const raw of parts) {
      n++;
      const l = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      parser.line(l.length > MAX_LINE_CHARS ? l.slice(0, MAX_LINE_CHARS) : l, n);
      if (n % LINES_PER_YIELD === 0) {
        // A turn for the event loop: the editor (or a Ctrl-C) is not held up by a huge paste.
        await new Promise((r) => setImmediate(r));
        checkCancelled(signal);
      }
    }
    // A line with no newline in sight is cut, not kept growing.
    if (carry.length > MAX_LINE_CHARS * 2) carry = carry.slice(0, MAX_LINE_CHARS);
  };
  await feed(head, done);
  if (!done) {
    for (;;) {
      const next = await chunks.next();
      if (next.done) break;
      await feed(next.value, false);
    }
    await feed('', true);
  }
  const parsed = parser.finish();
  if (parsed.threads.length === 0 || parsed.threads.every((t) => t.frames.length === 0)) {
    const skipped = parsed.notes.find((x) => /not recognised/.test(x));
    throw new SnagError(
      'bad-input',
      `${name} looks like ${FORMAT_LABELS[format]}, but Snag found no stack in it${skipped ? `: ${skipped.replace(/\.$/, '')}` : ''}. Snag reads ${KNOWN_FORMATS}.`,
    );
  }
  return { format, parsed };
}

/** Opens a dump: parsed, mapped to the workspace and explained, like a live one. */
export async function openDump(input: DumpInput, opts: OpenOptions): Promise<StackDump> {
  const started = Date.now();
  const { format, parsed } = await parseDumpInput(input, opts.name, opts.signal);
  const mtime = input.kind === 'file' ? await stat(input.path).then((s) => s.mtime.toISOString()) : undefined;
  const opened: OpenedFrom = { from: opts.from, name: opts.name, format, formatLabel: FORMAT_LABELS[format] };
  return explainParsed(parsed, opened, opts.mapper, started, mtime);
}

/** A parsed dump through the usual pipeline: source mapping (the workspace's rules), then findings. */
export async function explainParsed(
  parsed: ParsedDump,
  opened: OpenedFrom,
  mapper: SourceMapper,
  started: number,
  fallbackTakenAt?: string,
): Promise<StackDump> {
  const dump: StackDump = {
    pid: parsed.pid ?? 0,
    backend: parsed.backend ?? 'python',
    ...(parsed.pythonVersion ? { pythonVersion: parsed.pythonVersion } : {}),
    takenAt: parsed.takenAt ?? fallbackTakenAt ?? new Date(started).toISOString(),
    durationMs: 0,
    ...(parsed.method ? { method: parsed.method } : {}),
    opened,
    threads: parsed.threads,
    findings: [],
    notes: [`Opened from ${opened.name} (${opened.formatLabel}).`, ...(parsed.command ? [`Command line: ${parsed.command}`] : []), ...parsed.notes],
  };
  await mapper.mapDump(dump);
  dump.findings = await diagnose(dump);
  dump.durationMs = Date.now() - started;
  return dump;
}
