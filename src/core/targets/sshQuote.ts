// Remote quoting, in one place. `ssh host -- CMD` sends CMD as one string that the remote login
// shell (POSIX sh, bash, zsh, dash, ksh) parses again, so each argument is wrapped in single quotes,
// inside which that shell expands nothing; a single quote itself becomes '\'' (close, escaped quote,
// reopen). Every other character — spaces, $, `, \, !, newlines, unicode — passes through as is.
// (csh/tcsh and fish login shells parse differently and are not supported.)
import { SnagError } from '../errors';

/**
 * The command string for `ssh host -- <string>` whose remote shell starts argv[0] with exactly
 * argv[1..]. Throws on a NUL character, which no program argument can hold.
 */
export function quoteRemoteArgv(argv: readonly string[]): string {
  if (argv.length === 0) throw new SnagError('bad-input', 'no command to run on the remote host');
  return argv
    .map((arg) => {
      if (arg.includes('\0')) throw new SnagError('bad-input', 'a remote command argument contains a NUL character, which no program can receive');
      return `'${arg.replace(/'/g, `'\\''`)}'`;
    })
    .join(' ');
}
