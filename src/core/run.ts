// The ONE place Snag starts programs. Every call is an argv array (never a shell string), has a
// timeout, honours an AbortSignal and caps captured output, so Snag itself can never hang.
// Timeouts and cancellation kill the whole process group, not just the direct child.
import type { ResultPromise } from 'execa';
import { StringDecoder } from 'node:string_decoder';
import { formatBytes, timerMs } from './validate/limits';
import { endToolTree, newTreeMark, startTicksNow, TREE_MARK_ENV } from './toolTree';

type Execa = (typeof import('execa'))['execa'];
let execaLoaded: Promise<Execa> | undefined;
/**
 * execa is ESM-only. Loading it with import() keeps this module usable from CommonJS (the tests run
 * TypeScript through tsx as CommonJS, where a static import of execa fails); esbuild still bundles it.
 */
function loadExeca(): Promise<Execa> {
  return (execaLoaded ??= import('execa').then((m) => m.execa));
}

export interface RunOptions {
  /** Kill the program after this long. Default 30 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Cap on captured stdout and on stderr, in bytes. Default 16 MiB. */
  maxBytes?: number;
  /** Exit codes treated as success (default [0]). */
  okExitCodes?: readonly number[];
  /** Bytes for the program's stdin (a Uint8Array for binary data, e.g. a tool copied over ssh). */
  input?: string | Uint8Array;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Called once the program has started (for logs and tests). */
  onSpawn?: (pid: number | undefined) => void;
  /** Called with each line of stderr as it comes (stderr is captured as well): a tool's progress. */
  onStderrLine?: (line: string) => void;
  /**
   * When the program exits, kill what is left of its process group at once instead of waiting for
   * it: a gdb killed while it probes ptrace leaves a forked, stopped copy of itself that holds the
   * output pipes open forever.
   */
  killGroupOnExit?: boolean;
  /**
   * The program is a tool on this machine: when it exits, times out or is cancelled, end everything
   * it started, also what left its process group or session (`setsid`, a double fork), frozen first
   * and killed (see toolTree.ts). Only for programs whose children are theirs to end (not an ssh
   * client's ControlMaster, nor a container engine's helpers).
   */
  endDescendants?: boolean;
  /**
   * Write stdout to this file instead of capturing it (a core copied back from a host: gigabytes,
   * binary); `maxBytes` then caps stderr only, and RunResult.stdout is empty.
   */
  stdoutFile?: string;
}

export interface RunResult {
  argv: readonly string[];
  stdout: string;
  stderr: string;
  exitCode: number;
  durationMs: number;
}

export type RunFailure = 'not-found' | 'timed-out' | 'cancelled' | 'output-too-large' | 'exit' | 'signal' | 'spawn';

/** A program that could not do its job. `stderr` is kept for the caller to classify. */
export class RunError extends Error {
  override readonly name = 'RunError';
  /** For 'output-too-large': the cap, in bytes, the output went over. */
  capBytes?: number;
  /** For 'signal': the signal that ended the program (SIGKILL). */
  signal?: string;
  constructor(
    readonly failure: RunFailure,
    readonly argv: readonly string[],
    message: string,
    readonly result: Partial<RunResult> = {},
  ) {
    super(message);
  }
  get stderr(): string {
    return this.result.stderr ?? '';
  }
  get stdout(): string {
    return this.result.stdout ?? '';
  }
  get exitCode(): number | undefined {
    return this.result.exitCode;
  }
  static is(err: unknown, failure?: RunFailure): err is RunError {
    return err instanceof RunError && (failure === undefined || err.failure === failure);
  }
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
/**
 * How long the output pipes may stay open after the program has exited. Past it, whatever the
 * program left running (`sleep 100 &` holding stdout) is killed and the output read so far is the
 * result: a finished tool's answer is never lost to a timeout because of a straggler.
 */
export const EXIT_GRACE_MS = 1000;

/** Listeners told about every program run (the extension logs them with their timing). */
type RunListener = (event: { argv: readonly string[]; durationMs: number; exitCode?: number; failure?: RunFailure }) => void;
const listeners = new Set<RunListener>();
export function onDidRun(listener: RunListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Renders argv for humans (logs, error messages); never executed. */
export function displayArgv(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** Kills what is left of an exited leader's group (its own pid may be reused by now; the group id is not while members remain). */
function killOrphanedGroup(pid: number | undefined): void {
  try {
    if (pid) process.kill(-pid, 'SIGKILL');
  } catch {
    /* nothing left */
  }
}

function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

/** Calls onLine with each whole line the stream gives (a line longer than 64 KiB is dropped). */
function forwardLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  stream.on('data', (chunk: Buffer | string) => {
    carry += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let nl: number;
    while ((nl = carry.indexOf('\n')) >= 0) {
      const line = carry.slice(0, nl);
      carry = carry.slice(nl + 1);
      try {
        onLine(line);
      } catch {
        /* a listener's failure is not the program's */
      }
    }
    if (carry.length > 64 * 1024) carry = '';
  });
}

/**
 * Collects a stream's text up to `maxBytes`; past it calls `over` once (which stops the program)
 * and keeps what came before. `done` resolves when the stream has ended or was destroyed.
 */
function collect(stream: NodeJS.ReadableStream | null | undefined, maxBytes: number, over: () => void): { text: () => string; done: Promise<void> } {
  const decoder = new StringDecoder('utf8');
  const parts: string[] = [];
  let bytes = 0;
  let full = false;
  if (!stream) return { text: () => '', done: Promise.resolve() };
  stream.on('data', (chunk: Buffer | string) => {
    if (full) return;
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (bytes + buf.length > maxBytes) {
      full = true;
      parts.push(decoder.write(buf.subarray(0, maxBytes - bytes)));
      over();
      return;
    }
    bytes += buf.length;
    parts.push(decoder.write(buf));
  });
  const done = new Promise<void>((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', () => resolve());
  });
  return { text: () => parts.join('') + decoder.end(), done };
}

interface Started {
  child: ResultPromise<{ detached: true }>;
  started: number;
  finish: () => Promise<RunResult>;
  stop: (why: RunFailure) => void;
}

function start(execa: Execa, argv: readonly string[], opts: RunOptions, streamStdout: boolean): Started {
  if (argv.length === 0 || !argv[0]) throw new RunError('spawn', argv, 'empty command');
  const [file, ...args] = argv as [string, ...string[]];
  // Node fires a timer longer than 2^31-1 ms after 1 ms: clamp, so a huge timeout means "very long".
  const timeoutMs = timerMs(opts.timeoutMs, DEFAULT_TIMEOUT_MS);
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const started = Date.now();
  let failure: RunFailure | undefined;
  const mark = opts.endDescendants ? newTreeMark() : undefined;

  const child = execa(file, args, {
    detached: true, // own process group, so a timeout or Cancel kills grandchildren too
    reject: false,
    stripFinalNewline: false,
    encoding: 'utf8',
    // Output is collected here, with the cap, not by execa: at its maxBuffer execa escapes the whole
    // buffer into an error message (measured: 680 MB of memory for a tool flooding 12 MiB of NULs).
    buffer: false,
    ...(opts.stdoutFile ? { stdout: { file: opts.stdoutFile } } : {}),
    input: opts.input,
    stdin: opts.input === undefined ? 'ignore' : 'pipe',
    cwd: opts.cwd,
    env: mark ? { ...opts.env, [TREE_MARK_ENV]: mark } : opts.env,
    extendEnv: true,
  } as never) as unknown as ResultPromise<{ detached: true }>;
  // Read at once, while the pid surely names the program: older processes are never its descendants.
  const startTicks = mark && child.pid ? startTicksNow(child.pid) : undefined;
  opts.onSpawn?.(child.pid);
  const stdoutText = streamStdout || opts.stdoutFile ? undefined : collect(child.stdout, maxBytes, () => stop('output-too-large'));
  const stderrText = collect(child.stderr, maxBytes, () => stop('output-too-large'));
  if (opts.onStderrLine && child.stderr) forwardLines(child.stderr, opts.onStderrLine);
  let exited = false;
  let ending: Promise<unknown> | undefined;
  /** The program's whole tree, ended once (the program too while it lives). */
  const endTree = (pid: number, m: string) => (ending ??= endToolTree({ pid, mark: m, startTicks, alive: !exited }));
  let lingering: NodeJS.Timeout | undefined;
  child.once('exit', () => {
    exited = true;
    if (opts.killGroupOnExit) killOrphanedGroup(child.pid);
    if (mark && child.pid) void endTree(child.pid, mark);
    // Processes outside the group (setsid) may hold the pipes too: stop reading them as well.
    lingering = setTimeout(() => {
      killOrphanedGroup(child.pid);
      child.stdout?.destroy();
      child.stderr?.destroy();
    }, EXIT_GRACE_MS);
  });

  const stop = (why: RunFailure) => {
    failure ??= why;
    if (mark && child.pid) void endTree(child.pid, mark);
    else killGroup(child.pid);
    // Processes outside the group may still hold the output pipes (ssh's ControlMaster keeps a
    // multiplexed client's until the remote command ends): stop reading, so the caller is free now.
    child.stdout?.destroy();
    child.stderr?.destroy();
  };
  const timer = setTimeout(() => stop('timed-out'), timeoutMs);
  const onAbort = () => stop('cancelled');
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });

  const finish = async (): Promise<RunResult> => {
    const r = await child;
    // All its output read (or its streams destroyed: a straggler holding them, a Cancel).
    await Promise.all([stdoutText?.done, stderrText.done]);
    // What the program started is gone before the caller goes on (the guard resumes the target next).
    await ending;
    clearTimeout(timer);
    clearTimeout(lingering);
    opts.signal?.removeEventListener('abort', onAbort);
    // A killed leader can leave members of its group behind; take them down too.
    if (failure) killGroup(child.pid);
    const result: RunResult = {
      argv,
      stdout: stdoutText?.text() ?? '',
      stderr: stderrText.text(),
      exitCode: r.exitCode ?? -1,
      durationMs: Date.now() - started,
    };
    const cmd = displayArgv(argv);
    let err: RunError | undefined;
    if (failure === 'timed-out') err = new RunError('timed-out', argv, `${cmd} timed out after ${Math.round(timeoutMs / 100) / 10} s`, result);
    else if (failure === 'cancelled') err = new RunError('cancelled', argv, `${cmd} was cancelled`, result);
    else if (failure === 'output-too-large') {
      err = new RunError('output-too-large', argv, `${cmd} printed more than ${formatBytes(maxBytes)} (Snag's cap on its output); stopped it`, result);
      err.capBytes = maxBytes;
    } else if ((r as { code?: string }).code === 'ENOENT' || (r.failed && /ENOENT/.test(String(r.message)) && r.exitCode === undefined))
      err = new RunError('not-found', argv, `${file} was not found`, result);
    else if (r.exitCode === undefined && r.signal) {
      err = new RunError('signal', argv, `${cmd} was killed by ${r.signal}`, result);
      err.signal = r.signal;
    } else if (r.exitCode === undefined) err = new RunError('spawn', argv, `${cmd} could not start: ${r.shortMessage ?? r.message}`, result);
    else if (!(opts.okExitCodes ?? [0]).includes(r.exitCode)) {
      const last = result.stderr.trim().split('\n').filter(Boolean).pop() ?? '';
      err = new RunError('exit', argv, `${cmd} exited with code ${r.exitCode}${last ? `: ${last}` : ''}`, result);
    }
    for (const l of listeners) l({ argv, durationMs: result.durationMs, exitCode: r.exitCode, failure: err?.failure });
    if (err) throw err;
    return result;
  };
  return { child, started, finish, stop };
}

/** Runs argv to completion and returns its output; throws RunError on any failure. */
export async function run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const execa = await loadExeca();
  return start(execa, argv, opts, false).finish();
}

export interface StreamingRun {
  /** Known once the program has started. */
  readonly pid: number | undefined;
  /** Resolves when the program ends (stdout is not captured: it went to onLine). */
  done: Promise<RunResult>;
  /** Stops the program (and its group); `done` then rejects with 'cancelled'. */
  stop(): void;
}

/**
 * Starts a long-running program and hands each stdout line to onLine as it arrives
 * (e.g. `py-spy record --format raw`). Same guarantees as run(): timeout, signal, caps.
 */
export function runStreaming(argv: readonly string[], onLine: (line: string) => void, opts: RunOptions = {}): StreamingRun {
  const controller = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, controller.signal]) : controller.signal;
  let pid: number | undefined;
  const done = loadExeca().then((execa) => {
    const { child, finish, stop } = start(execa, argv, { ...opts, signal }, true);
    pid = child.pid;
    let pending = '';
    const cap = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      // A line longer than the cap means the output is not what we expect; stop rather than grow.
      if (pending.length + chunk.length > cap) {
        stop('output-too-large');
        return;
      }
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line) onLine(line);
      }
    });
    return finish().then((r) => {
      if (pending) onLine(pending);
      return r;
    });
  });
  return {
    get pid() {
      return pid;
    },
    done,
    stop: () => controller.abort(),
  };
}
