// One host reached through the system `ssh` client, so the user's ~/.ssh/config, agent, keys,
// ProxyJump and known_hosts all apply. The first command opens a ControlMaster connection in a
// private folder; later commands reuse it (one round trip each, no handshake) until it has been
// idle for ControlPersist seconds. Snag never sets a password and never relaxes host-key checks.
import { SnagError } from '../errors';
import { run, RunError, type RunOptions, type RunResult } from '../run';
import { sshControlDir } from './sshControlDir';
import { remoteProgramNotFound, sshConnectError } from './sshErrors';
import { quoteRemoteArgv } from './sshQuote';
import type { Runner } from '../runner';

export interface SshConnectionOptions {
  /** The destination given to ssh: a Host alias from ssh_config, `user@host` or `ssh://user@host:port`. */
  host: string;
  /** An ssh_config file for -F (default: ssh's own, ~/.ssh/config). */
  configFile?: string;
  /** ConnectTimeout: seconds for the TCP connection and the handshake. Default 10. */
  connectTimeoutSeconds?: number;
  /** Folder for control sockets (default: a private per-user folder). */
  controlDir?: string;
  /** The ssh executable. Default `ssh` from PATH. */
  sshPath?: string;
  /** At most this many commands at once over the connection (sshd's MaxSessions is 10 by default). */
  maxParallel?: number;
  /**
   * After a failed connection, commands fail at once with the same error for this long instead
   * of trying again (a view refreshing every few seconds must not hammer a dead host); connect()
   * always tries. Default 0: every command tries.
   */
  retryUnreachableAfterMs?: number;
}

export type SshState =
  | { kind: 'idle' }
  | { kind: 'connecting' }
  /** `platform` is the host's `uname -sm` (e.g. `Linux x86_64`). */
  | { kind: 'connected'; platform: string }
  /** `error` is one sentence with ssh's own error line. */
  | { kind: 'unreachable'; error: string; reason: SnagError };

const CONTROL_PERSIST_SECONDS = 60;
const SERVER_ALIVE_SECONDS = 5;

/**
 * A destination ssh would read as an option, or with characters no host name has, is refused: the
 * whole text, and the user and host inside it (`user@-oProxyCommand=…`, `ssh://-oProxyCommand=…`,
 * `ssh://user@-host:22`), which ssh would otherwise take apart and may hand on as an option.
 */
export function checkSshHost(host: string): string {
  const refuse = (why: string) => new SnagError('bad-input', `"${host}" is not an ssh host name: ${why}`);
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (!host || /[\s\0-\x1f\x7f]/.test(host)) throw refuse(host ? 'it holds a space or a control character' : 'it is empty');
  if (host.startsWith('-')) throw refuse('it starts with "-" (ssh would read it as an option)');
  const uri = /^ssh:\/\//i.test(host);
  let rest = uri ? host.slice('ssh://'.length) : host;
  if (uri) rest = rest.replace(/\/.*$/, '');
  const at = rest.lastIndexOf('@');
  const user = at >= 0 ? rest.slice(0, at) : undefined;
  let name = at >= 0 ? rest.slice(at + 1) : rest;
  // ssh://host:port, [v6]:port
  if (uri) name = name.startsWith('[') ? name.replace(/^\[([^\]]*)\](:\d*)?$/, '$1') : name.replace(/:\d*$/, '');
  if (user !== undefined && (user === '' || user.startsWith('-'))) throw refuse(user ? `its user "${user}" starts with "-"` : 'its user is empty');
  if (!name) throw refuse('it names no host');
  if (name.startsWith('-')) throw refuse(`its host "${name}" starts with "-" (ssh would read it as an option)`);
  return host;
}

/** Limits concurrent channels so a burst of requests stays under the server's MaxSessions. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(n: number) {
    this.free = n;
  }
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.free > 0) this.free--;
    else
      await new Promise<void>((resolve, reject) => {
        const go = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          const i = this.waiting.indexOf(go);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(new SnagError('cancelled', 'cancelled while waiting for the ssh connection'));
        };
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        this.waiting.push(go);
      });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}

function raceSignal<T>(p: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(new SnagError('cancelled', `${what} was cancelled`));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new SnagError('cancelled', `${what} was cancelled`));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export class SshConnection implements Runner {
  readonly host: string;
  private readonly controlDir: string;
  private current: SshState = { kind: 'idle' };
  private connecting?: Promise<void>;
  private readonly listeners = new Set<(s: SshState) => void>();
  private readonly slots: Slots;
  private unreachableUntil = 0;

  constructor(private readonly opts: SshConnectionOptions) {
    this.host = checkSshHost(opts.host);
    this.controlDir = sshControlDir(opts.controlDir);
    this.slots = new Slots(opts.maxParallel ?? 8);
  }

  get state(): SshState {
    return this.current;
  }

  /** Called on every state change (the extension redraws the host's tree item). */
  onDidChangeState(listener: (s: SshState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private setState(s: SshState): void {
    // Two commands failing on one lost connection (the read and a query beside it) are one change.
    const again = s.kind === 'unreachable' && this.current.kind === 'unreachable';
    this.current = s;
    if (s.kind === 'unreachable') this.unreachableUntil = Date.now() + (this.opts.retryUnreachableAfterMs ?? 0);
    if (again) return;
    for (const l of this.listeners) l(s);
  }

  private get connectTimeoutSeconds(): number {
    return this.opts.connectTimeoutSeconds ?? 10;
  }

  /** ssh and its options, up to (not including) the destination. */
  private sshArgv(): string[] {
    return [
      this.opts.sshPath ?? 'ssh',
      ...(this.opts.configFile ? ['-F', this.opts.configFile] : []),
      '-T', // no terminal: output stays byte-exact, even with RequestTTY in the user's config
      '-o',
      'BatchMode=yes', // never prompt (no passwords, no host-key questions): fail instead
      '-o',
      'ControlMaster=auto',
      '-o',
      `ControlPath=${this.controlDir.replace(/%/g, '%%')}/%C`,
      '-o',
      `ControlPersist=${CONTROL_PERSIST_SECONDS}`,
      '-o',
      `ConnectTimeout=${this.connectTimeoutSeconds}`,
      '-o',
      `ServerAliveInterval=${SERVER_ALIVE_SECONDS}`,
      '-o',
      'ServerAliveCountMax=3',
      // Port forwards from the user's config would collide with their own sessions; Snag needs none.
      '-o',
      'ClearAllForwardings=yes',
      '-o',
      'ForwardAgent=no',
      '-o',
      'RemoteCommand=none',
    ];
  }

  /** The local argv that runs argv on the host (quoted for its login shell). */
  wrap(argv: readonly string[]): string[] {
    return [...this.sshArgv(), this.host, '--', quoteRemoteArgv(argv)];
  }

  /** Opens the shared connection (once; concurrent callers wait for the same attempt). */
  connect(signal?: AbortSignal): Promise<void> {
    this.connecting ??= this.openMaster().finally(() => {
      this.connecting = undefined;
    });
    return raceSignal(this.connecting, signal, `Connecting to ${this.host}`);
  }

  private async openMaster(): Promise<void> {
    this.setState({ kind: 'connecting' });
    try {
      // The first command through ControlMaster=auto becomes the master and stays in the background.
      const { stdout } = await run(this.wrap(['uname', '-sm']), { timeoutMs: (this.connectTimeoutSeconds + 10) * 1000, maxBytes: 64 * 1024 });
      this.setState({ kind: 'connected', platform: stdout.trim() });
    } catch (err) {
      let e = sshConnectError(err, this.host, 'connect');
      // A master up but no answer: the login went through and the remote shell hangs (start-up files).
      if (RunError.is(err, 'timed-out') && (await this.isMasterRunning()))
        e = new SnagError(
          'unreachable',
          `${this.host} accepted the login, but its shell did not run a command within ${Math.round((err.result.durationMs ?? 0) / 1000)} s: check the shell's start-up files there (~/.bashrc).`,
          ['ssh-terminal', 'show-log'],
          { cause: err },
        );
      this.setState({ kind: 'unreachable', error: e.message, reason: e });
      throw e;
    }
  }

  /** Connects unless connected; within the retry pause after a failure, fails at once with that failure. */
  async ensureConnected(signal?: AbortSignal): Promise<void> {
    if (this.current.kind === 'unreachable' && Date.now() < this.unreachableUntil) throw this.current.reason;
    if (this.current.kind !== 'connected') await this.connect(signal);
  }

  /** Is the master connection up? (asks the local control socket; no network round trip) */
  async isMasterRunning(): Promise<boolean> {
    try {
      await run([...this.sshArgv(), '-O', 'check', this.host], { timeoutMs: 5000, maxBytes: 64 * 1024 });
      return true;
    } catch {
      return false;
    }
  }

  /** The PID of the master ssh process, when it runs (for tests and logs). */
  async masterPid(): Promise<number | undefined> {
    try {
      const r = await run([...this.sshArgv(), '-O', 'check', this.host], { timeoutMs: 5000, maxBytes: 64 * 1024 });
      const m = /pid=(\d+)/.exec(r.stderr + r.stdout);
      return m ? Number(m[1]) : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Runs argv on the host. `env` is set there (through `env K=V …`), not on the local ssh.
   * A lost connection becomes SnagError 'unreachable' and marks the host so; anything the
   * remote program itself reports is the caller's RunError to classify.
   */
  async run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    await this.ensureConnected(opts.signal);
    const release = await this.slots.acquire(opts.signal);
    try {
      // killGroupOnExit is about the remote program's group, not the local ssh client's (whose
      // group may hold the ControlMaster it forked).
      const { env, killGroupOnExit, ...rest } = opts;
      void killGroupOnExit;
      return await run(this.wrap(withRemoteEnv(argv, env)), rest);
    } catch (err) {
      // 255 is ssh's own failure code (or, rarely, the program's): ask the control socket which.
      if (RunError.is(err, 'exit') && err.exitCode === 255 && !(await this.isMasterRunning())) {
        const e = sshConnectError(err, this.host, 'command');
        this.setState({ kind: 'unreachable', error: e.message, reason: e });
        throw e;
      }
      if (RunError.is(err, 'not-found')) throw sshConnectError(err, this.host, 'command');
      const program = argv[0] ?? '';
      if (remoteProgramNotFound(err, program))
        throw new RunError('not-found', (err as RunError).argv, `${program} was not found on ${this.host}`, (err as RunError).result);
      throw err;
    } finally {
      release();
    }
  }

  /** Closes the master connection (the next command opens a new one). */
  async close(): Promise<void> {
    try {
      await run([...this.sshArgv(), '-O', 'exit', this.host], { timeoutMs: 5000, maxBytes: 64 * 1024 });
    } catch {
      /* no master running */
    }
    this.setState({ kind: 'idle' });
  }
}

/** `env K=V … argv`: variables for the remote program (ssh does not carry the local environment). */
function withRemoteEnv(argv: readonly string[], env: NodeJS.ProcessEnv | undefined): readonly string[] {
  const vars = Object.entries(env ?? {}).filter((e): e is [string, string] => e[1] !== undefined);
  if (vars.length === 0) return argv;
  for (const [k] of vars) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new SnagError('bad-input', `"${k}" is not an environment variable name`);
  return ['env', ...vars.map(([k, v]) => `${k}=${v}`), ...argv];
}
