// `--ssh HOST` for `snag ps`, `dump` and `sample`: the same commands, run on an ssh host through the
// system ssh client (one multiplexed connection, kept for a minute so the next command is quick).
import { SnagError } from '../errors';
import { SshTarget } from '../targets/ssh';
import { stringValue, type CliValues, type KindContext, type TargetKindDescriptor } from './targetKind';

/** At most this long to connect, in seconds. */
const MAX_CONNECT_TIMEOUT_S = 600;

/** The host named by --ssh (with -F file, py-spy path there, copy permission, ConnectTimeout). */
export function sshTargetFromArgs(values: CliValues, ctx: KindContext): SshTarget {
  const seconds = ctx.seconds('--connect-timeout', stringValue(values, 'connect-timeout'), MAX_CONNECT_TIMEOUT_S);
  const host = stringValue(values, 'ssh');
  // Checked here too: the CLI refuses empty values before, other callers may not.
  if (!host?.trim()) throw new SnagError('bad-input', '--ssh needs a host name');
  return new SshTarget({
    host,
    configFile: stringValue(values, 'ssh-config'),
    pyspyPath: stringValue(values, 'remote-pyspy'),
    allowCopyPySpy: values['copy-pyspy'] === true,
    connectTimeoutSeconds: seconds,
    localPySpy: ctx.localPySpy,
  });
}

export const sshKind: TargetKindDescriptor = {
  id: 'ssh',
  options: {
    ssh: { type: 'string' },
    'ssh-config': { type: 'string' },
    'remote-pyspy': { type: 'string' },
    'copy-pyspy': { type: 'boolean' },
    'connect-timeout': { type: 'string' },
  },
  pickedBy: ['ssh'],
  usage: {
    pick: '--ssh HOST',
    ps: [
      '  snag ps --ssh HOST [--ssh-config FILE] [--connect-timeout S] [--all] [--json]',
      '                                              the processes on an ssh host',
    ],
    read: [
      '  --ssh HOST [--remote-pyspy PATH] [--copy-pyspy] [--ssh-config FILE]',
      '                         a process on an ssh host (not with --container: run snag on that host',
      '                         to read its containers)',
    ],
  },
  localPids: false,
  open: async (values, ctx) => sshTargetFromArgs(values, ctx),
};
