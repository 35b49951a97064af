// `snag` — the command line over Snag's core: `snag ps`, `snag dump <pid>`, `snag sample <pid>`.
// Output is text for people or --json for programs; every failure is exit code ≠ 0 and one line on stderr.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chooseBackend, isBackendChoice } from '../core/backends/auto';
import { GdbBackend, gdbLocator } from '../core/backends/gdb';
import { PySpyBackend } from '../core/backends/pyspy';
import { dumpProcess } from '../core/pipeline/dumpProcess';
import { errorMessage, SnagError } from '../core/errors';
import { dumpToText } from '../core/format/dumpText';
import { dumpJsonChunks, writeChunks } from '../core/format/dumpJsonStream';
import { buildProcessTree, describeProcess, type ProcessNode } from '../core/format/processTree';
import type { PathMapping } from '../core/model';
import { SourceMapper } from '../core/mapping/sourceMap';
import { findTool } from '../core/tools';
import { profileToJson } from '../core/format/profileJson';
import { profileToText } from '../core/format/profileText';
import { chooseSampleSource } from '../core/sampling/chooseSource';
import { sampleProcess } from '../core/sampling/sampleProcess';
import { clampRate, DEFAULT_RATE_HZ, MAX_RATE_HZ, MIN_RATE_HZ } from '../core/sampling/sampleSource';
import { toSpeedscope } from '../core/sampling/speedscope';
import { safeText } from '../core/text/safeText';
import { SNAG_VERSION } from '../core/version';
import { MAX_DURATION_S, optionError, parseDecimal, parseSeconds, parseWhole, requireValues, rootFolder } from './options';
import { localPidMax, parsePid as parsePidText, PID_LIMIT } from '../core/validate/pid';
import { kindContext, pickKind, TARGET_PS_OPTIONS, TARGET_READ_OPTIONS, TARGET_USAGE } from './targetOptions';
import { checkWritable, writeOutput } from './outputFile';
import { threadIdError } from '../core/targets/processKind';
import type { Target } from '../core/targets/target';
import { OPEN_USAGE, openCommand } from './open';
import { CORE_USAGE, coreCommand, dumpCoreCommand, wantsCore } from './core';
import { TASKS_USAGE, tasksCommand } from './tasks';
import { handleStdoutErrors } from './stdoutErrors';

const USAGE = `Snag: where is a Python process stuck? Every thread's stack, mapped to your source.

usage:
${TARGET_USAGE.ps}
  snag dump <pid> [options]                   every thread's stack once, with findings
  snag sample <pid> [--duration S] [--rate HZ] [--stuck-after S] [--speedscope FILE] [options]
                                              samples for a while: stuck, busy and idle threads, hot lines
                                              (--duration 1 to 86400 s, --stuck-after at most 86400 s,
                                              --rate 1 to 100)

A pid is a plain decimal number (no sign, spaces, hex or leading zeros); numbers of seconds are plain
decimals like 20 or 0.5. Every option that takes a value needs a non-empty one.

${OPEN_USAGE}
${CORE_USAGE}
${TASKS_USAGE}

options of dump and sample:
  --json                 JSON instead of text (the README documents it)
  --root DIR             map frames to files under DIR (default: the current folder)
  --map REMOTE=LOCAL     a path rule, like debugpy's pathMappings (repeatable)
  --native               native frames too (py-spy --native)
  --locals               local variables (dump only)
  --nonblocking          do not pause the process while reading (py-spy --nonblocking)
  --backend auto|py-spy|gdb, --gdb PATH, --pyspy PATH, --timeout S (at most 3600)
${TARGET_USAGE.read}

Environment: SNAG_PYSPY (path to py-spy), SNAG_GDB (path to gdb).`;

export interface Io {
  out: (s: string) => void;
  /** Writes s and resolves once the output has taken it (backpressure for long outputs); default: out(). */
  write?: (s: string) => Promise<void>;
  err: (s: string) => void;
  isTTY: boolean;
  signal?: AbortSignal;
}

export function parseMapping(spec: string): PathMapping {
  const eq = spec.indexOf('=');
  if (eq <= 0 || eq === spec.length - 1) throw new SnagError('bad-input', `--map expects REMOTE=LOCAL, got "${spec}"`);
  return { remoteRoot: spec.slice(0, eq), localRoot: resolve(spec.slice(eq + 1)) };
}

export { parseSeconds };

async function ps(args: string[], io: Io): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      all: { type: 'boolean' },
      json: { type: 'boolean' },
      ...TARGET_PS_OPTIONS,
    },
    allowPositionals: false,
  });
  requireValues(values);
  const kind = pickKind(values);
  const ctx = kindContext(io.signal);
  if (kind.ps) {
    const listing = await kind.ps(values, ctx);
    return io.out(values.json ? JSON.stringify(listing.json, null, 2) + '\n' : listing.text);
  }
  const procs = await (await kind.open(values, ctx)).listProcesses({ all: values.all === true, signal: io.signal });
  if (values.json) return io.out(JSON.stringify(procs, null, 2) + '\n');
  if (procs.length === 0) return io.out(values.all ? 'No processes.\n' : 'No Python processes found (snag ps --all lists every process).\n');
  const lines: string[] = [];
  const walk = (nodes: ProcessNode[], prefix: string) =>
    nodes.forEach((n, i) => {
      const last = i === nodes.length - 1;
      const p = n.process;
      lines.push(`${prefix}${last ? '└─ ' : '├─ '}${p.name}  ${describeProcess(p)}${values.all && p.isPython ? '  [python]' : ''}`);
      lines.push(`${prefix}${last ? '   ' : '│  '}   ${p.command.length > 160 ? p.command.slice(0, 157) + '…' : p.command}`);
      walk(n.children, prefix + (last ? '   ' : '│  '));
    });
  walk(buildProcessTree(procs), '');
  // Names and command lines are the processes' own: each line neutralised (no ESC, no RLO, no forged line).
  io.out(lines.map(safeText).join('\n') + '\n');
}

/** Flags every command that reads a process's stacks takes (dump, sample). */
const READ_OPTIONS = {
  native: { type: 'boolean' },
  nonblocking: { type: 'boolean' },
  json: { type: 'boolean' },
  map: { type: 'string', multiple: true },
  root: { type: 'string' },
  pyspy: { type: 'string' },
  backend: { type: 'string' },
  gdb: { type: 'string' },
} as const;

/** With the options of every kind of target (where the process lives: --container, --ssh, …). */
const READ_AND_TARGET_OPTIONS = { ...READ_OPTIONS, ...TARGET_READ_OPTIONS };

type ReadValues = ReturnType<typeof parseArgs<{ options: typeof READ_AND_TARGET_OPTIONS; allowPositionals: true }>>['values'];

/** The one pid argument; on this machine checked against its pid_max, elsewhere against Linux's limit. */
function parsePid(positionals: readonly string[], cmd: string, values: ReadValues): number {
  requireValues(values);
  const kind = pickKind(values);
  if (positionals.length > 1) throw new SnagError('bad-input', `${cmd} takes one process id, got ${positionals.length}: ${positionals.join(' ')}`);
  return parsePidText(positionals[0], cmd, kind.localPids ? localPidMax() : PID_LIMIT);
}

/** Where the process lives, how to read it and how to map its frames, from the flags. */
async function openProcess(values: ReadValues, io: Io) {
  const root = rootFolder(values.root);
  const localPySpy = () =>
    findTool('py-spy', {
      configured: values.pyspy ?? process.env.SNAG_PYSPY,
      configuredBy: values.pyspy !== undefined ? '--pyspy' : 'SNAG_PYSPY',
      // Not --root's own venvs: a repository's .venv/bin/py-spy is a program it names. A venv counts
      // when it is the active one ($VIRTUAL_ENV).
      configureHint: 'pass --pyspy PATH (or set SNAG_PYSPY)',
    });
  // The PID as the target sees it (a host's, a container's own); what a target set up (a py-spy
  // copied to a host) is undone by its dispose() when the read is done.
  const target = await pickKind(values).open(values, kindContext(io.signal, localPySpy));
  const choice = values.backend ?? 'auto';
  if (!isBackendChoice(choice)) throw new SnagError('bad-input', `--backend expects auto, py-spy or gdb, got "${choice}"`);
  const pyspy = new PySpyBackend(localPySpy);
  const gdb = new GdbBackend(
    gdbLocator(values.gdb ?? process.env.SNAG_GDB, 'pass --gdb PATH (or set SNAG_GDB)', values.gdb !== undefined ? '--gdb' : 'SNAG_GDB'),
  );
  const mapper = new SourceMapper({ workspaceRoots: [root], mappings: (values.map ?? []).map(parseMapping) });
  return { target, choice, pyspy, gdb, mapper };
}

async function dump(args: string[], io: Io): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...READ_AND_TARGET_OPTIONS, locals: { type: 'boolean' }, timeout: { type: 'string' } },
  });
  const pid = parsePid(positionals, 'dump', values);
  const timeoutMs = parseSeconds('--timeout', values.timeout);
  const { target, choice, pyspy, gdb, mapper } = await openProcess(values, io);
  await refuseThreadId(target, pid, 'snag dump');
  const d = await dumpProcess({
    target,
    pid,
    backend: chooseBackend(choice, pyspy, gdb),
    mapper,
    native: values.native,
    locals: values.locals,
    nonblocking: values.nonblocking,
    timeoutMs,
    signal: io.signal,
    // A slow reader (gdb on hundreds of threads) says how far it got instead of going quiet.
    onProgress: (p) => io.err(`snag: ${p.threadsRead} of ${p.threads} threads read…\n`),
  }).finally(() => target.dispose?.());
  // Thread by thread, at the pace the reader takes it: a dump of 150,000 threads is never one string.
  if (values.json) return writeChunks(dumpJsonChunks(d), io.write ?? (async (s) => io.out(s)));
  io.out(dumpToText(d, { highlight: io.isTTY ? (s) => `\x1b[1m${s}\x1b[0m` : undefined }));
}

async function sample(args: string[], io: Io): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...READ_AND_TARGET_OPTIONS,
      duration: { type: 'string' },
      rate: { type: 'string' },
      'stuck-after': { type: 'string' },
      speedscope: { type: 'string' },
    },
  });
  const pid = parsePid(positionals, 'sample', values);
  // At least a second: py-spy records whole seconds, and a shorter sample holds no sample at all.
  const durationMs = values.duration === undefined ? 5_000 : parseDecimal('--duration', values.duration, 'seconds', MAX_DURATION_S, 1) * 1000;
  const rate = values.rate === undefined ? DEFAULT_RATE_HZ : parseWhole('--rate', values.rate, 'samples per second', MAX_RATE_HZ, MIN_RATE_HZ);
  const stuckAfterMs = parseSeconds('--stuck-after', values['stuck-after'], MAX_DURATION_S);
  if (values.speedscope) await checkWritable('--speedscope', values.speedscope);
  const { target, choice, pyspy, gdb, mapper } = await openProcess(values, io);
  await refuseThreadId(target, pid, 'snag sample');
  const rateHz = clampRate(rate);
  const source = chooseSampleSource(target, choice, pyspy, gdb, { pid, rateHz, nonblocking: values.nonblocking, native: values.native });
  const profile = await sampleProcess({
    target,
    pid,
    source,
    mapper,
    rateHz,
    durationMs,
    stuckAfterSeconds: stuckAfterMs === undefined ? undefined : stuckAfterMs / 1000,
    signal: io.signal,
  }).finally(() => target.dispose?.());
  // The profile is printed even when the file could not be written: a sampling session is not lost.
  const saved = values.speedscope ? writeOutput('--speedscope', values.speedscope, toSpeedscope(profile, `snag@${SNAG_VERSION}`)) : undefined;
  saved?.catch(() => undefined);
  io.out(values.json ? JSON.stringify(profileToJson(profile), null, 2) + '\n' : profileToText(profile));
  await saved;
  // Cancelled part-way (Ctrl-C, SIGTERM, SIGHUP): what was taken is shown, and the exit code says it is not the whole.
  if (io.signal?.aborted) throw new SnagError('cancelled', `Sampling of process ${pid} was cancelled: the profile above holds the samples taken until then.`);
}

/** A thread id given as the pid (this machine only): refused before any tool runs, naming its process. */
async function refuseThreadId(target: Target, pid: number, readAs: string): Promise<void> {
  const err = await threadIdError(target, pid, readAs);
  if (err) throw err;
}

export async function main(argv: string[], io: Io): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'ps':
        await ps(rest, io);
        return 0;
      case 'dump':
        if (wantsCore(rest)) await dumpCoreCommand(rest, io, parseMapping);
        else await dump(rest, io);
        return 0;
      case 'core':
        await coreCommand(rest, io);
        return 0;
      case 'open':
        await openCommand(rest, io, parseMapping);
        return 0;
      case 'sample':
        await sample(rest, io);
        return 0;
      case 'tasks':
        await tasksCommand(rest, io, parseMapping);
        return 0;
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        io.out(USAGE + '\n');
        return cmd ? 0 : 2;
      default:
        io.err(`snag: unknown command "${safeText(cmd)}"\n${USAGE}\n`);
        return 2;
    }
  } catch (err) {
    // Messages quote names, paths and tool stderr from the target: neutralised where they are printed.
    const usage = optionError(err);
    io.err(`snag: ${safeText(usage ?? errorMessage(err))}\n`);
    return SnagError.is(err, 'bad-input') || usage ? 2 : 1;
  }
}

/** The command line as a program: argv, signals, stdout and the exit code (dist/cli.js starts it). */
export function runCli(): void {
  const controller = new AbortController();
  // Ctrl-C, kill, a closed terminal (SIGHUP) or Ctrl-\ (SIGQUIT) cancel the running tool (which kills
  // its process group, and the guard resumes a target it left stopped) instead of orphaning it.
  // A second signal of the same kind gets its default action.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const) process.once(signal, () => controller.abort());
  // A reader that went away (`snag dump --json | head`) ends the output, not Snag (nor with a stack trace).
  const stdout = handleStdoutErrors();
  const write = (s: string) => (stdout.gone() ? Promise.resolve() : new Promise<void>((res) => process.stdout.write(s, () => res())));
  void main(process.argv.slice(2), {
    out: (s) => void write(s),
    write,
    err: (s) => process.stderr.write(s),
    isTTY: !!process.stdout.isTTY,
    signal: controller.signal,
  }).then((code) => {
    process.exitCode = code;
  });
}

if (require.main === module) runCli();
