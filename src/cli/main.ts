// `snag` — the command line over Snag's core: `snag ps`, `snag dump <pid>`, `snag sample <pid>`.
// Output is text for people or --json for programs; every failure is exit code ≠ 0 and one line on stderr.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chooseBackend, isBackendChoice } from '../core/backends/auto';
import { GdbBackend, gdbLocator } from '../core/backends/gdb';
import { PySpyBackend } from '../core/backends/pyspy';
import { dumpProcess } from '../core/pipeline/dumpProcess';
import { errorMessage, SnagError } from '../core/errors';
import { dumpToJson, dumpToText } from '../core/format/dumpText';
import { buildProcessTree, describeProcess, type ProcessNode } from '../core/format/processTree';
import type { PathMapping } from '../core/model';
import { SourceMapper } from '../core/mapping/sourceMap';
import { LocalTarget, pythonVersionOf, recognisePython } from '../core/targets/local';
import { findTool } from '../core/tools';
import { profileToJson } from '../core/format/profileJson';
import { profileToText } from '../core/format/profileText';
import { chooseSampleSource } from '../core/sampling/chooseSource';
import { sampleProcess } from '../core/sampling/sampleProcess';
import { clampRate, DEFAULT_RATE_HZ, MAX_RATE_HZ, MIN_RATE_HZ } from '../core/sampling/sampleSource';
import { toSpeedscope } from '../core/sampling/speedscope';
import { safeText } from '../core/text/safeText';
import { SNAG_VERSION } from '../core/version';
import { containerPs, openContainerTarget, parseEngine, parseStrategy } from './containers';
import { MAX_DURATION_S, optionError, parseDecimal, parseSeconds, requireValues } from './options';
import { localPidMax, parsePid as parsePidText, PID_LIMIT } from '../core/validate/pid';
import { remotePythonVersion, SSH_OPTIONS, sshTargetFromArgs } from './ssh';
import { checkWritable, writeOutput } from './outputFile';
import { threadIdError } from '../core/targets/processKind';
import type { Target } from '../core/targets/target';

const USAGE = `Snag: where is a Python process stuck? Every thread's stack, mapped to your source.

usage:
  snag ps [--all] [--json]                    Python processes here as a tree (--all: every process)
  snag ps --docker | --container NAME [--engine auto|docker|podman] [--all] [--json]
                                              the containers' processes
  snag ps --ssh HOST [--ssh-config FILE] [--connect-timeout S] [--all] [--json]
                                              the processes on an ssh host
  snag dump <pid> [options]                   every thread's stack once, with findings
  snag sample <pid> [--duration S] [--rate HZ] [--stuck-after S] [--speedscope FILE] [options]
                                              samples for a while: stuck, busy and idle threads, hot lines
                                              (--duration 1 to 86400 s, --stuck-after at most 86400 s,
                                              --rate 1 to 100)

A pid is a plain decimal number (no sign, spaces, hex or leading zeros); numbers of seconds are plain
decimals like 20 or 0.5. Every option that takes a value needs a non-empty one.

options of dump and sample:
  --json                 JSON instead of text (the README documents it)
  --root DIR             map frames to files under DIR (default: the current folder)
  --map REMOTE=LOCAL     a path rule, like debugpy's pathMappings (repeatable)
  --native               native frames too (py-spy --native)
  --locals               local variables (dump only)
  --nonblocking          do not pause the process while reading (py-spy --nonblocking)
  --backend auto|py-spy|gdb, --gdb PATH, --pyspy PATH, --timeout S (at most 3600)
  --container NAME [--strategy auto|host|exec|copy|sidecar] [--engine E]
                         a process in a container (its pid as the container sees it)
  --ssh HOST [--remote-pyspy PATH] [--copy-pyspy] [--ssh-config FILE]
                         a process on an ssh host (not with --container: run snag on that host
                         to read its containers)

Environment: SNAG_PYSPY (path to py-spy), SNAG_GDB (path to gdb).`;

export interface Io {
  out: (s: string) => void;
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
      docker: { type: 'boolean' },
      container: { type: 'string' },
      engine: { type: 'string' },
      ...SSH_OPTIONS,
    },
    allowPositionals: false,
  });
  requireValues(values);
  onePlace(values);
  if (values.docker || values.container) return containerPs(values, io);
  const procs = await (values.ssh ? sshTargetFromArgs(values) : new LocalTarget()).listProcesses({ all: values.all, signal: io.signal });
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
  container: { type: 'string' },
  engine: { type: 'string' },
  strategy: { type: 'string' },
  ...SSH_OPTIONS,
} as const;

type ReadValues = ReturnType<typeof parseArgs<{ options: typeof READ_OPTIONS; allowPositionals: true }>>['values'];

/**
 * --ssh and --container (--docker) name different places: containers are found through this
 * machine's engine, so together they would quietly read a container here, or a host process there.
 */
function onePlace(values: { ssh?: string; container?: string; docker?: boolean }): void {
  if (values.ssh === undefined || (values.container === undefined && !values.docker)) return;
  throw new SnagError(
    'bad-input',
    `--${values.container !== undefined ? 'container' : 'docker'} and --ssh cannot be combined: snag reads the containers of the machine it runs on. To read a container on ${values.ssh}, run snag there; or drop one of the two.`,
  );
}

/** The one pid argument; on this machine checked against its pid_max, elsewhere against Linux's limit. */
function parsePid(positionals: readonly string[], cmd: string, values: ReadValues): number {
  requireValues(values);
  onePlace(values);
  if (positionals.length > 1) throw new SnagError('bad-input', `${cmd} takes one process id, got ${positionals.length}: ${positionals.join(' ')}`);
  return parsePidText(positionals[0], cmd, values.ssh !== undefined || values.container !== undefined ? PID_LIMIT : localPidMax());
}

/** Where the process lives, how to read it and how to map its frames, from the flags. */
async function openProcess(values: ReadValues, io: Io) {
  const root = resolve(values.root ?? process.cwd());
  const localPySpy = () =>
    findTool('py-spy', {
      configured: values.pyspy ?? process.env.SNAG_PYSPY,
      configuredBy: values.pyspy !== undefined ? '--pyspy' : 'SNAG_PYSPY',
      workspaceRoots: [root],
      configureHint: 'pass --pyspy PATH (or set SNAG_PYSPY)',
    });
  // On an ssh host the PID is the host's; a copied py-spy is removed again when the dump is done.
  const ssh = values.ssh ? sshTargetFromArgs(values, localPySpy) : undefined;
  // In a container the PID is the one inside it (as `snag ps --docker` shows).
  const target =
    ssh ??
    (values.container ? await openContainerTarget(values.container, parseEngine(values.engine), parseStrategy(values.strategy), io.signal) : new LocalTarget());
  const choice = values.backend ?? 'auto';
  if (!isBackendChoice(choice)) throw new SnagError('bad-input', `--backend expects auto, py-spy or gdb, got "${choice}"`);
  const pyspy = new PySpyBackend(localPySpy);
  const gdb = new GdbBackend(
    gdbLocator(values.gdb ?? process.env.SNAG_GDB, 'pass --gdb PATH (or set SNAG_GDB)', values.gdb !== undefined ? '--gdb' : 'SNAG_GDB'),
  );
  const mapper = new SourceMapper({ workspaceRoots: [root], mappings: (values.map ?? []).map(parseMapping) });
  return { target, ssh, choice, pyspy, gdb, mapper };
}

async function dump(args: string[], io: Io): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...READ_OPTIONS, locals: { type: 'boolean' }, timeout: { type: 'string' } },
  });
  const pid = parsePid(positionals, 'dump', values);
  const timeoutMs = parseSeconds('--timeout', values.timeout);
  const { target, ssh, choice, pyspy, gdb, mapper } = await openProcess(values, io);
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
    pythonVersion: ssh ? await remotePythonVersion(ssh, pid, io.signal) : values.container ? undefined : await localPythonVersion(pid),
  }).finally(() => ssh?.dispose());
  if (values.json) return io.out(JSON.stringify(dumpToJson(d), null, 2) + '\n');
  io.out(dumpToText(d, { highlight: io.isTTY ? (s) => `\x1b[1m${s}\x1b[0m` : undefined }));
}

async function sample(args: string[], io: Io): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...READ_OPTIONS, duration: { type: 'string' }, rate: { type: 'string' }, 'stuck-after': { type: 'string' }, speedscope: { type: 'string' } },
  });
  const pid = parsePid(positionals, 'sample', values);
  // At least a second: py-spy records whole seconds, and a shorter sample holds no sample at all.
  const durationMs = values.duration === undefined ? 5_000 : parseDecimal('--duration', values.duration, 'seconds', MAX_DURATION_S, 1) * 1000;
  const rate = values.rate === undefined ? DEFAULT_RATE_HZ : parseDecimal('--rate', values.rate, 'samples per second', MAX_RATE_HZ, MIN_RATE_HZ);
  const stuckAfterMs = parseSeconds('--stuck-after', values['stuck-after'], MAX_DURATION_S);
  if (values.speedscope) await checkWritable('--speedscope', values.speedscope);
  const { target, ssh, choice, pyspy, gdb, mapper } = await openProcess(values, io);
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
  }).finally(() => ssh?.dispose());
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

async function localPythonVersion(pid: number): Promise<string | undefined> {
  const p = { pid, ppid: 0, user: '', state: '', cpuPercent: 0, rssKb: 0, threads: 0, elapsedSeconds: 0, command: '', name: '', isPython: false };
  await recognisePython(p);
  return pythonVersionOf(p);
}

export async function main(argv: string[], io: Io): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'ps':
        await ps(rest, io);
        return 0;
      case 'dump':
        await dump(rest, io);
        return 0;
      case 'sample':
        await sample(rest, io);
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

if (require.main === module) {
  const controller = new AbortController();
  // Ctrl-C, kill, a closed terminal (SIGHUP) or Ctrl-\ (SIGQUIT) cancel the running tool (which kills
  // its process group, and the guard resumes a target it left stopped) instead of orphaning it.
  // A second signal of the same kind gets its default action.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const) process.once(signal, () => controller.abort());
  void main(process.argv.slice(2), {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    isTTY: !!process.stdout.isTTY,
    signal: controller.signal,
  }).then((code) => {
    process.exitCode = code;
  });
}
