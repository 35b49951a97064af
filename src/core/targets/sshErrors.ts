// Turns a failed `ssh` run into one actionable SnagError. ssh reports connection failures as text
// on stderr with exit code 255, so this is the one place that reads that text.
import { SnagError } from '../errors';
import { RunError } from '../run';

/** The line ssh's failure is best described by (its last line that is not a warning). */
export function sshErrorLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    // The guard's own report lines (guard/guardScript.ts) are not ssh's.
    .filter((l) => l && !/^Warning: Permanently added/i.test(l) && !/^\*\*|^@@@/.test(l) && !/^snag-guard /.test(l));
  return (lines.pop() ?? '').replace(/\.$/, '');
}

/** A connection-level failure: what the tree shows beside the host and what the user can do. */
export function sshConnectError(err: unknown, host: string, phase: 'connect' | 'command'): SnagError {
  if (SnagError.is(err)) return err;
  if (!RunError.is(err)) return new SnagError('unreachable', `${host}: ${String(err)}`, ['show-log'], { cause: err });
  const line = sshErrorLine(err.stderr);
  switch (err.failure) {
    case 'not-found':
      return new SnagError(
        'tool-not-found',
        'The ssh client was not found. Install OpenSSH (e.g. apt-get install openssh-client) or set snag.sshPath.',
        ['show-log'],
        { cause: err },
      );
    case 'cancelled':
      return new SnagError('cancelled', `Connecting to ${host} was cancelled.`, [], { cause: err });
    case 'timed-out':
      return new SnagError(
        'unreachable',
        phase === 'connect'
          ? `${host} did not answer: ssh timed out after ${Math.round((err.result.durationMs ?? 0) / 1000)} s without a connection${line ? ` (${line})` : ''}.`
          : `${host} stopped answering: the command timed out${line ? ` (${line})` : ''}.`,
        ['show-log'],
        { cause: err },
      );
    default:
      break;
  }
  const said = line ? `: ${line}` : '';
  if (phase === 'command' && !line)
    return new SnagError('unreachable', `The connection to ${host} was lost while a command ran.`, ['refresh-processes', 'show-log'], { cause: err });
  if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|host key for .* has changed|No .*host key is known/i.test(err.stderr))
    return new SnagError(
      'unreachable',
      `${host}'s host key is not known or has changed${said}. Connect once in a terminal (ssh ${host}) to check and accept it; Snag never skips host-key checking.`,
      ['ssh-terminal'],
      { cause: err },
    );
  if (/Permission denied|Too many authentication failures|no mutual signature/i.test(line))
    return new SnagError(
      'unreachable',
      `${host} refused the login${said}. Snag uses your keys and ssh-agent and never asks for passwords: add a key (ssh-copy-id) or load it into ssh-agent.`,
      ['ssh-terminal'],
      { cause: err },
    );
  if (/timed out/i.test(line)) return new SnagError('unreachable', `${host} did not answer in time${said}.`, ['show-log'], { cause: err });
  return new SnagError('unreachable', `Cannot reach ${host}${said}.`, ['show-log'], { cause: err });
}

/**
 * Did the remote shell (or `env`) fail to find the program? Exit code 127 with the shell's
 * "not found" line naming it. Turned into RunError 'not-found', as a missing local program is.
 */
export function remoteProgramNotFound(err: unknown, program: string): boolean {
  if (!RunError.is(err, 'exit') || err.exitCode !== 127) return false;
  const name = program.slice(program.lastIndexOf('/') + 1).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${name}'?:.*(not found|No such file or directory)|not found: ${name}`, 'i').test(err.stderr);
}
