// `snag core <pid>` (save a core and let the process go on) and `snag dump --core FILE` (read a
// core like a live process, with gdb).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SnagError } from '../core/errors';
import { captureCore, checkCoreFolder } from '../core/coredump/captureCore';
import { dumpCore } from '../core/coredump/readCore';
import { processAfterText } from '../core/coredump/gcoreOutcome';
import { SourceMapper } from '../core/mapping/sourceMap';
import type { PathMapping } from '../core/model';
import { findTool } from '../core/tools';
import { formatBytes } from '../core/validate/limits';
import { localPidMax, parsePid, PID_LIMIT } from '../core/validate/pid';
import { printDump, type OpenIo } from './open';
import { parseSeconds, requireValues, rootFolder } from './options';
import { kindContext, pickKind, TARGET_READ_OPTIONS, TARGET_USAGE } from './targetOptions';

export const CORE_USAGE = `  snag core <pid> [--out DIR] [--json] [${TARGET_USAGE.pick}] [--remote-gcore PATH]
                                              save a core of the process (gcore) with its metadata,
                                              and leave it running (a container's: gcore on its host by
                                              the host PID; an ssh host's: gcore there, copied back)
  snag dump --core FILE [--python PATH] [--json] [--root DIR] [--map R=L] [--gdb PATH]
                                              a core file's stacks and findings, read with gdb`;

export function wantsCore(args: readonly string[]): boolean {
  return args.some((a) => a === '--core' || a.startsWith('--core='));
}

async function gdbPath(flag: string | undefined): Promise<string> {
  return findTool('gdb', {
    configured: flag ?? process.env.SNAG_GDB,
    configuredBy: flag !== undefined ? '--gdb' : 'SNAG_GDB',
    configureHint: 'pass --gdb PATH (or set SNAG_GDB)',
  });
}

export async function dumpCoreCommand(args: string[], io: OpenIo, parseMapping: (spec: string) => PathMapping): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      core: { type: 'string' },
      python: { type: 'string' },
      json: { type: 'boolean' },
      locals: { type: 'boolean' },
      root: { type: 'string' },
      map: { type: 'string', multiple: true },
      gdb: { type: 'string' },
      timeout: { type: 'string' },
    },
  });
  requireValues(values);
  if (positionals.length) throw new SnagError('bad-input', `dump --core reads a core file, not a process: drop ${positionals.join(' ')}`);
  const root = rootFolder(values.root);
  const d = await dumpCore({
    core: resolve(values.core!),
    python: values.python ? resolve(values.python) : undefined,
    gdb: await gdbPath(values.gdb),
    mapper: new SourceMapper({ workspaceRoots: [root], mappings: (values.map ?? []).map(parseMapping) }),
    locals: values.locals,
    signal: io.signal,
    timeoutMs: parseSeconds('--timeout', values.timeout),
  });
  await printDump(d, values.json, io);
}

export async function coreCommand(args: string[], io: OpenIo & { err?: (s: string) => void }): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      json: { type: 'boolean' },
      gcore: { type: 'string' },
      'remote-gcore': { type: 'string' },
      timeout: { type: 'string' },
      ...TARGET_READ_OPTIONS,
    },
  });
  requireValues(values);
  const kind = pickKind(values);
  if (positionals.length !== 1) throw new SnagError('bad-input', `core takes one process id, got ${positionals.length}: ${positionals.join(' ')}`);
  const pid = parsePid(positionals[0], 'core', kind.localPids ? localPidMax() : PID_LIMIT);
  const dir = resolve(values.out ?? process.cwd());
  await checkCoreFolder(dir, values.out !== undefined ? `--out ${values.out}` : `the current folder (${dir})`);
  const gcore = await findTool('gcore', {
    configured: values.gcore,
    configuredBy: '--gcore',
    configureHint: 'install gdb (it brings gcore) or pass --gcore PATH',
  });
  const target = await kind.open(values, kindContext(io.signal));
  const err = io.err ?? (() => undefined);
  let lastTold = 0;
  const meta = await captureCore({
    target,
    pid,
    dir,
    gcore,
    gcoreThere: values['remote-gcore'],
    signal: io.signal,
    timeoutMs: parseSeconds('--timeout', values.timeout),
    onProgress: (step, copied = 0, total = 0) => {
      if (step === 'writing') return err(`snag: gcore is writing a core of process ${pid}…\n`);
      // A line a second at most: the copy of a big core over ssh takes a while.
      if (copied < total && Date.now() - lastTold < 1000) return;
      lastTold = Date.now();
      err(`snag: copied ${formatBytes(copied)} of ${formatBytes(total)}\n`);
    },
    confirmLargeCopy: async (bytes, where) => {
      err(`snag: warning: the core on ${where} is ${formatBytes(bytes)}; copying it back (Ctrl-C stops and removes it there)\n`);
      return true;
    },
  }).finally(() => target.dispose?.());
  if (values.json) return io.out(JSON.stringify(meta, null, 2) + '\n');
  io.out(
    `Saved a core of process ${pid} (${meta.threads} thread${meta.threads === 1 ? '' : 's'}, ${formatBytes(meta.bytes)}): ${meta.core}\n` +
      (meta.takenOn ? `Taken on ${meta.takenOn}${meta.how ? ` (${meta.how})` : ''} and copied here.\n` : '') +
      `Metadata: ${meta.core}.json\n` +
      `The process ${processAfterText(meta.processAfter)}. Open it with: snag dump --core ${meta.core}${meta.interpreter ? ` --python ${meta.interpreter}` : ''}\n`,
  );
}
