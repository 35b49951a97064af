// What `snag` does when its stdout fails: a reader that went away (`snag dump --json | head`) ends
// the output quietly; anything else (a full disk, a closed file) is one line and exit 1, never a
// stack trace. Shared by the launcher (which prints the help) and the CLI.
import { safeText } from '../core/text/safeText';

/** Installs the handler; `gone()` says whether stdout has failed (nothing more is written then). */
export function handleStdoutErrors(): { gone: () => boolean } {
  let failed = false;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    failed = true;
    if (err.code === 'EPIPE') return;
    process.stderr.write(`snag: cannot write the output: ${safeText(err.code === 'ENOSPC' ? 'no space left on the device' : err.message)}\n`);
    process.exit(1);
  });
  return { gone: () => failed };
}
