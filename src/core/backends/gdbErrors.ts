// Turns a failed gdb run, or a report in which Snag's script could not attach, into one actionable
// SnagError. gdb reports failures as text (ptrace's errno message, shell "not found" lines over
// ssh), so this is the one place that reads that text.
import { SnagError, withRemark } from '../errors';
import { RunError } from '../run';
import { safeText } from '../text/safeText';
import type { GdbReport } from './gdbParse';
import { ptraceHelp } from './ptraceHelp';
import { toolOutputError, toolSignalError } from './toolFailure';

/** gdb's text in one line (its messages span lines: "warning: process 7 is a zombie - …\n…"), safe to show. */
function oneLine(text: string): string {
  return safeText(
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .join(' '),
  );
}

/** Classifies what gdb said when it could not attach (`ptrace: Operation not permitted.`). */
export function gdbAttachError(message: string, pid: number, where = 'this machine'): SnagError {
  if (/is a zombie/i.test(message))
    return new SnagError(
      'process-gone',
      `Process ${pid} is a zombie: it has exited and its parent has not yet collected its exit status, so there are no stacks to read.`,
      ['refresh-processes'],
    );
  if (/Operation not permitted|Permission denied|EPERM/i.test(message))
    return new SnagError('permission-denied', `gdb may not attach to process ${pid} (${oneLine(message)}): ${ptraceHelp(where)}.`, ['ptrace-help']);
  if (/No such process|ESRCH/i.test(message))
    return new SnagError('process-gone', `Process ${pid} is not running (it has exited, or there is no such process).`, ['refresh-processes']);
  return new SnagError('tool-failed', `gdb could not attach to process ${pid}: ${oneLine(message).replace(/[.:]$/, '')}.`, ['show-log']);
}

/** A report whose script stopped early: why, as a SnagError. `where`: the machine gdb ran on. */
export function gdbReportError(report: GdbReport, pid: number, where = 'this machine'): SnagError | undefined {
  if (!report.error) return undefined;
  if (report.error.stage === 'attach') return gdbAttachError(report.error.message, pid, where);
  if (report.threads?.length) return undefined; // read failed part-way: the threads read so far are still worth showing
  return new SnagError('tool-failed', `gdb attached to process ${pid} but could not read its stacks: ${oneLine(report.error.message).replace(/[.:]$/, '')}.`, [
    'show-log',
  ]);
}

/** gdb ran but printed no report: its stderr says why. */
export function gdbNoReportError(stderr: string, pid: number, where = 'this machine'): SnagError {
  if (/Python scripting is not supported|Undefined command: "python"/i.test(stderr))
    return new SnagError(
      'tool-failed',
      'This gdb was built without Python support, which Snag needs. Install a distribution gdb (e.g. apt-get install gdb) or set snag.gdbPath.',
      ['install-gdb'],
    );
  if (/is a zombie/i.test(stderr)) return gdbAttachError('is a zombie', pid, where);
  if (/ptrace:/.test(stderr)) return gdbAttachError(/ptrace:[^\n]*/.exec(stderr)![0], pid, where);
  const last = stderr
    .trim()
    .split('\n')
    .filter((l) => l.trim() && !/^warning:/i.test(l))
    .pop();
  return new SnagError(
    'tool-failed',
    `gdb printed no stacks for process ${pid}${last ? `: ${oneLine(last).replace(/[.:]$/, '')}` : ''}. Check that this gdb works and has Python support (gdb -batch -ex "python print(1)"), and that it can attach (gdb -p ${pid} by hand).`,
    ['show-log'],
  );
}

/** A RunError from starting gdb → SnagError; `after` says what Snag did about the target afterwards. */
export function gdbRunError(err: unknown, pid: number, where = 'this machine', after = ''): unknown {
  if (!RunError.is(err)) return err;
  const tail = after ? ` ${after}` : '';
  switch (err.failure) {
    case 'not-found':
      return new SnagError('tool-not-found', `gdb was not found on ${where}. Install it (e.g. apt-get install gdb) or set snag.gdbPath.`, ['install-gdb']);
    case 'timed-out':
      return new SnagError(
        'timed-out',
        `gdb did not finish reading process ${pid} in time (loading debug info can take a while; try a longer timeout).${tail}`,
        ['show-log'],
      );
    case 'cancelled':
      return new SnagError('cancelled', `Dump of process ${pid} cancelled.${tail}`);
    case 'signal':
      return toolSignalError('gdb', err, pid, tail);
    case 'output-too-large':
      return toolOutputError('gdb', err, pid, tail);
    default:
      break;
  }
  // Killed by a signal through a shell: exit 128 + the signal (docker exec, sh), or ssh's 255 for
  // a remote command that died of a signal (ssh prints nothing then).
  const silent = !err.stdout.trim() && !err.stderr.trim();
  if (err.exitCode !== undefined && err.exitCode > 128 && err.exitCode <= 128 + 64 && !err.stdout.trim()) return toolSignalError('gdb', err, pid, tail);
  if (err.exitCode === 255 && silent)
    return new SnagError('tool-failed', `gdb was killed while reading process ${pid} on ${where}.${tail}`, ['show-log'], { cause: err });
  // Through a shell (ssh, docker exec) a missing program is exit 127 with "not found" on stderr.
  if (err.exitCode === 127 || /gdb: (command )?not found|exec: "?gdb"?: executable file not found/i.test(err.stderr))
    return new SnagError('tool-not-found', `gdb was not found on ${where}. Install it there (e.g. apt-get install gdb).`, ['install-gdb']);
  return withRemark(gdbNoReportError(err.stderr, pid, where), after);
}
