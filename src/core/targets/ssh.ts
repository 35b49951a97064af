// An SSH host as a target: its processes (listed through the host's own `ps` and /proc), py-spy
// there (found, configured or copied), its per-host path mappings, and its files read read-only
// for frames that have no local copy. Everything runs through one multiplexed SshConnection.
import type { PathMapping, ProcessInfo, TargetRef } from '../model';
import { SnagError } from '../errors';
import { RunError } from '../run';
import { listProcessesVia, readPythonFacts, applyPythonFacts } from './remoteProcesses';
import { RemotePySpy } from './remotePySpy';
import { SshConnection, type SshConnectionOptions } from './sshConnection';
import { pythonVersionOf } from './psParse';
import type { ListOptions, ProcessQuery, Target, TargetSourceMapping } from './target';

/** One entry of the `snag.sshHosts` setting (a plain string is `{host}`). */
export interface SshHostSettings {
  /** The ssh destination: a Host alias, `user@host` or `ssh://user@host:port`. */
  host: string;
  /** Shown in the tree instead of the host. */
  label?: string;
  /** py-spy's path on the host, when it is not on the login shell's PATH. */
  pyspyPath?: string;
  /** debugpy-style rules: frames under remoteRoot (on the host) map to localRoot (here). */
  pathMappings?: PathMapping[];
}

export interface SshTargetOptions extends SshHostSettings, Omit<SshConnectionOptions, 'host'> {
  /** This machine's py-spy (copied to the host when it has none and copying is allowed). */
  localPySpy?: () => Promise<string>;
  /** Copy this machine's py-spy when the host has none: yes, no, or ask (the extension asks). */
  allowCopyPySpy?: boolean | ((platform: string) => Promise<boolean>);
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** The id of the target (and of its Processes-view group) for an ssh destination: `ssh:prod-1`. */
export function sshTargetId(host: string): string {
  return `ssh:${host}`;
}
/** Remote files opened read-only are capped (a frame's source, not a log file). */
export const MAX_REMOTE_FILE_BYTES = 8 * 1024 * 1024;

export class SshTarget implements Target {
  readonly ref: TargetRef;
  readonly runner: SshConnection;
  readonly pyspy: RemotePySpy;
  private lastTicks = new Map<number, { ticks: number; at: number }>();

  constructor(readonly options: SshTargetOptions) {
    this.runner = new SshConnection(options);
    this.ref = { kind: 'ssh', id: sshTargetId(options.host), label: options.label ?? options.host };
    this.pyspy = new RemotePySpy(this.runner, {
      configured: options.pyspyPath,
      where: this.ref.label,
      localPySpy: options.localPySpy ?? (() => Promise.reject(new SnagError('tool-not-found', 'No local py-spy to copy.'))),
      allowCopy: options.allowCopyPySpy ?? false,
      platform: () => (this.runner.state.kind === 'connected' ? this.runner.state.platform : undefined),
    });
  }

  get host(): string {
    return this.options.host;
  }

  get sshHost(): string {
    return this.options.host;
  }

  async listProcesses(opts: ListOptions = {}): Promise<ProcessInfo[]> {
    const { processes, facts } = await listProcessesVia(this.runner, opts);
    // ps's %CPU is a lifetime average; the CPU share since the last refresh shows a spinning process.
    const now = Date.now();
    const next = new Map<number, { ticks: number; at: number }>();
    for (const p of processes) {
      const ticks = facts.get(p.pid)?.cpuTicks;
      if (ticks === undefined) continue;
      next.set(p.pid, { ticks, at: now });
      const prev = this.lastTicks.get(p.pid);
      if (prev && now - prev.at >= 200) p.cpuPercent = Math.round((((ticks - prev.ticks) / CLOCK_TICKS) * 1000 * 1000) / (now - prev.at)) / 10;
    }
    this.lastTicks = next;
    return processes;
  }

  /** What the host knows about one process (Python or not, its executable), without a full listing. */
  async processInfo(pid: number, signal?: AbortSignal): Promise<ProcessInfo | undefined> {
    const p: ProcessInfo = {
      pid,
      ppid: 0,
      user: '',
      state: '',
      cpuPercent: 0,
      rssKb: 0,
      threads: 0,
      elapsedSeconds: 0,
      command: '',
      name: String(pid),
      isPython: false,
    };
    const facts = (await readPythonFacts(this.runner, [p], { signal })).get(pid);
    if (!facts) return undefined;
    applyPythonFacts(p, facts);
    return p;
  }

  /** From the process's executable on the host (one look there, unless a listing knew it). */
  async pythonVersion(pid: number, ask: ProcessQuery = {}): Promise<string | undefined> {
    const p = ask.process ?? (await this.processInfo(pid, ask.signal).catch(() => undefined));
    return p && pythonVersionOf(p);
  }

  locatePySpy(signal?: AbortSignal): Promise<string> {
    return this.pyspy.locate(signal);
  }

  async sourceMapping(): Promise<TargetSourceMapping> {
    return { pathsAreLocal: false, mappings: this.options.pathMappings ?? [], remoteSource: this.ref.label };
  }

  /** A file on the host, read-only (for frames without a local copy). */
  async readFile(path: string, signal?: AbortSignal): Promise<string> {
    if (!path.startsWith('/')) throw new SnagError('bad-input', `Only absolute paths can be read from ${this.ref.label}, got "${path}".`);
    try {
      const { stdout } = await this.runner.run(['cat', '--', path], { timeoutMs: 30_000, signal, maxBytes: MAX_REMOTE_FILE_BYTES });
      return stdout;
    } catch (err) {
      if (RunError.is(err, 'exit'))
        throw new SnagError('tool-failed', `Cannot read ${path} on ${this.ref.label}: ${err.stderr.trim().split('\n').pop() ?? 'cat failed'}`, ['show-log'], {
          cause: err,
        });
      if (RunError.is(err, 'output-too-large'))
        throw new SnagError(
          'bad-input',
          `${path} on ${this.ref.label} is larger than ${MAX_REMOTE_FILE_BYTES / 1024 / 1024} MiB; Snag opens source files only.`,
          [],
          { cause: err },
        );
      throw err;
    }
  }

  /** Removes what Snag left on the host (a copied py-spy). The connection itself stays for others. */
  async dispose(): Promise<void> {
    await this.pyspy.cleanup().catch(() => undefined);
  }
}
