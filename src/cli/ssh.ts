// `--ssh HOST` for `snag ps` and `snag dump`: the same commands, run on an ssh host through the
// system ssh client (one multiplexed connection, kept for a minute so the next command is quick).
import { SnagError } from '../core/errors';
import { pythonVersionOf } from '../core/targets/local';
import { SshTarget } from '../core/targets/ssh';
import { MAX_CONNECT_TIMEOUT_S, parseDecimal } from './options';

export const SSH_OPTIONS = {
  ssh: { type: 'string' },
  'ssh-config': { type: 'string' },
  'remote-pyspy': { type: 'string' },
  'copy-pyspy': { type: 'boolean' },
  'connect-timeout': { type: 'string' },
} as const;

export interface SshArgs {
  ssh?: string;
  'ssh-config'?: string;
  'remote-pyspy'?: string;
  'copy-pyspy'?: boolean;
  'connect-timeout'?: string;
}

/** The host named by --ssh (with -F file, py-spy path there, copy permission, ConnectTimeout). */
export function sshTargetFromArgs(values: SshArgs, localPySpy?: () => Promise<string>): SshTarget {
  const spec = values['connect-timeout'];
  const seconds = spec === undefined ? undefined : parseDecimal('--connect-timeout', spec, 'seconds', MAX_CONNECT_TIMEOUT_S);
  // Checked here too: `ps` and `dump` reach this with every option already checked, other callers may not.
  if (!values.ssh?.trim()) throw new SnagError('bad-input', '--ssh needs a host name');
  return new SshTarget({
    host: values.ssh,
    configFile: values['ssh-config'],
    pyspyPath: values['remote-pyspy'],
    allowCopyPySpy: !!values['copy-pyspy'],
    connectTimeoutSeconds: seconds,
    localPySpy,
  });
}

/** The Python version of a process on the host (from its executable), for the dump's header. */
export async function remotePythonVersion(target: SshTarget, pid: number, signal?: AbortSignal): Promise<string | undefined> {
  const p = await target.processInfo(pid, signal).catch(() => undefined);
  return p ? pythonVersionOf(p) : undefined;
}
