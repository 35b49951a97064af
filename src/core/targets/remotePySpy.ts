// py-spy on a target Snag reaches through a runner: the configured path, else one found on the
// target's PATH or in the usual install folders, else — when the user allows it — this machine's
// own py-spy binary copied into a private `mktemp -d` folder there (only when the operating system
// and CPU architecture match) and removed again by cleanup().
import { readFile } from 'node:fs/promises';
import { machine, type } from 'node:os';
import { SnagError } from '../errors';
import { RunError } from '../run';
import type { Runner } from '../runner';

/** Prints the first py-spy found (PATH, then the usual folders); exits 3 when there is none. */
export const FIND_PYSPY_SCRIPT = `command -v py-spy 2>/dev/null && exit 0
for d in "$HOME/.local/bin" /usr/local/bin /usr/bin /opt/py-spy/bin; do
  if [ -x "$d/py-spy" ]; then printf '%s\\n' "$d/py-spy"; exit 0; fi
done
exit 3`;

/** Reads py-spy from stdin into a new private folder; prints the folder. */
export const COPY_PYSPY_SCRIPT = `d=$(mktemp -d "\${TMPDIR:-/tmp}/snag-pyspy.XXXXXX") || exit 1
if cat > "$d/py-spy" && chmod 700 "$d/py-spy"; then printf '%s\\n' "$d"; else rm -rf -- "$d"; exit 1; fi`;

/** This machine as `uname -sm` prints it: `Linux x86_64`. */
export function localPlatform(): string {
  return `${type()} ${machine()}`;
}

export interface RemotePySpyOptions {
  /** A py-spy path on the target the user configured (wins when it is executable there). */
  configured?: string;
  /** Where the target is, for messages (`prod-1`). */
  where: string;
  /** This machine's py-spy (the binary to copy). */
  localPySpy: () => Promise<string>;
  /** Whether copying is allowed: a fixed answer, or a question to the user (asked once). */
  allowCopy: boolean | ((platform: string) => Promise<boolean>);
  /** The target's `uname -sm` when already known (the ssh connection learns it when connecting). */
  platform?: () => string | undefined;
}

export class RemotePySpy {
  private found?: string;
  private copiedDir?: string;
  private finding?: Promise<string>;

  constructor(
    private readonly runner: Runner,
    private readonly opts: RemotePySpyOptions,
  ) {}

  /** The py-spy path to run through the runner. */
  locate(signal?: AbortSignal): Promise<string> {
    if (this.found) return Promise.resolve(this.found);
    this.finding ??= this.find(signal).finally(() => (this.finding = undefined));
    return this.finding;
  }

  /** The folder a copy lives in (for tests and logs). */
  get copyDir(): string | undefined {
    return this.copiedDir;
  }

  private async find(signal?: AbortSignal): Promise<string> {
    const { configured, where } = this.opts;
    if (configured) {
      try {
        await this.runner.run(['test', '-x', configured], { timeoutMs: 15_000, signal, maxBytes: 4096 });
      } catch (err) {
        if (RunError.is(err, 'exit'))
          throw new SnagError('tool-not-found', `The py-spy path configured for ${where} (${configured}) is not an executable file there.`, [
            'configure-pyspy-path',
          ]);
        throw err;
      }
      return (this.found = configured);
    }
    try {
      const { stdout } = await this.runner.run(['sh', '-c', FIND_PYSPY_SCRIPT], { timeoutMs: 15_000, signal, maxBytes: 64 * 1024 });
      const path = stdout.trim().split('\n').pop();
      if (path?.startsWith('/')) return (this.found = path);
    } catch (err) {
      if (!RunError.is(err, 'exit')) throw err;
    }
    return (this.found = await this.copy(signal));
  }

  private async copy(signal?: AbortSignal): Promise<string> {
    const { where, allowCopy } = this.opts;
    const platform = this.opts.platform?.() ?? (await this.runner.run(['uname', '-sm'], { timeoutMs: 15_000, signal, maxBytes: 4096 })).stdout.trim();
    const here = localPlatform();
    const notFound = `py-spy was not found on ${where} (PATH, ~/.local/bin, /usr/local/bin).`;
    if (platform !== here)
      throw new SnagError(
        'tool-not-found',
        `${notFound} This machine's py-spy cannot be copied there (${where} is ${platform}, this machine ${here}): install it there with pip install py-spy, or set its path for this host.`,
        ['configure-pyspy-path'],
      );
    const allowed = typeof allowCopy === 'function' ? await allowCopy(platform) : allowCopy;
    if (!allowed)
      throw new SnagError(
        'tool-not-found',
        `${notFound} Install it there (pip install py-spy), set its path for this host, or let Snag copy this machine's py-spy to a private temporary folder there.`,
        ['copy-pyspy', 'configure-pyspy-path'],
      );
    const binary = await readFile(await this.opts.localPySpy());
    const { stdout } = await this.runner.run(['sh', '-c', COPY_PYSPY_SCRIPT], { input: binary, timeoutMs: 120_000, signal, maxBytes: 64 * 1024 });
    const dir = stdout.trim();
    if (!/^\/\S*\/snag-pyspy\.[\w]+$/.test(dir))
      throw new SnagError('tool-failed', `Copying py-spy to ${where} failed: unexpected folder "${dir}".`, ['show-log']);
    this.copiedDir = dir;
    return `${dir}/py-spy`;
  }

  /** Removes a copied py-spy from the target (no-op when nothing was copied). */
  async cleanup(signal?: AbortSignal): Promise<void> {
    const dir = this.copiedDir;
    if (!dir) return;
    this.copiedDir = undefined;
    this.found = undefined;
    await this.runner.run(['rm', '-rf', '--', dir], { timeoutMs: 15_000, signal, maxBytes: 4096 });
  }
}
