// `snag core <pid>` (save a core and let the process go on) and `snag dump --core FILE` (read a
// core like a live process, with gdb).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SnagError } from '../core/errors';
import { captureCore } from '../core/coredump/captureCore';
import { dumpCore } from '../core/coredump/readCore';
import { SourceMapper } from '../core/mapping/sourceMap';
import type { PathMapping } from '../core/model';
import { LocalTarget } from '../core/targets/local';
import { findTool } from '../core/tools';
import { formatBytes } from '../core/validate/limits';
import { localPidMax, parsePid } from '../core/validate/pid';
import { printDump, type OpenIo } from './open';
import { parseSeconds, requireValues } from './options';

export const CORE_USAGE = `  snag core <pid> [--out DIR] [--json]        save a core of the process (gcore) with its metadata,
                                              and leave it running
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
  const root = resolve(values.root ?? process.cwd());
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

export async function coreCommand(args: string[], io: OpenIo): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: 'string' }, json: { type: 'boolean' }, gcore: { type: 'string' }, timeout: { type: 'string' } },
  });
  requireValues(values);
  if (positionals.length !== 1) throw new SnagError('bad-input', `core takes one process id, got ${positionals.length}: ${positionals.join(' ')}`);
  const pid = parsePid(positionals[0], 'core', localPidMax());
  const gcore = await findTool('gcore', {
    configured: values.gcore,
    configuredBy: '--gcore',
    configureHint: 'install gdb (it brings gcore) or pass --gcore PATH',
  });
  const meta = await captureCore({
    target: new LocalTarget(),
    pid,
    dir: resolve(values.out ?? process.cwd()),
    gcore,
    signal: io.signal,
    timeoutMs: parseSeconds('--timeout', values.timeout),
  });
  if (values.json) return io.out(JSON.stringify(meta, null, 2) + '\n');
  io.out(
    `Saved a core of process ${pid} (${meta.threads} thread${meta.threads === 1 ? '' : 's'}, ${formatBytes(meta.bytes)}): ${meta.core}\n` +
      `Metadata: ${meta.core}.json\n` +
      `The process ${meta.processAfter === 'gone' ? 'exited meanwhile' : 'keeps running'}. Open it with: snag dump --core ${meta.core}${meta.interpreter ? ` --python ${meta.interpreter}` : ''}\n`,
  );
}
