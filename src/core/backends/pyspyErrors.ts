// Turns a failed py-spy run into one actionable SnagError. py-spy reports failures as text on
// stderr with exit code 1, so this is the one place that reads that text.
import { SnagError } from '../errors';
import { RunError } from '../run';
import { safeText } from '../text/safeText';
import { ptraceHelp } from './ptraceHelp';
import { killedBy, toolOutputError, toolSignalError } from './toolFailure';

/** Below this a timeout is the reason a read did not finish, not the process (py-spy takes a few hundred ms to start and attach). */
const SHORT_TIMEOUT_MS = 1_000;

export function pyspyError(err: unknown, pid: number, where = 'this machine'): unknown {
  if (!RunError.is(err)) return err;
  const text = `${err.stderr}\n${err.stdout}`;
  // `py-spy record` is a sampling session, `py-spy dump` one dump: the advice names what was running.
  const sampling = err.argv[1] === 'record';
  switch (err.failure) {
    case 'not-found':
      return new SnagError('tool-not-found', `py-spy was not found on ${where}. Install it (pip install py-spy) or set snag.pyspyPath.`, [
        'install-pyspy',
        'configure-pyspy-path',
      ]);
    case 'timed-out': {
      const ms = err.result.durationMs;
      if (ms !== undefined && ms < SHORT_TIMEOUT_MS)
        return new SnagError(
          'timed-out',
          `py-spy did not finish reading process ${pid}: Snag gave up after ${ms} ms, too short a timeout for py-spy to start and attach. Raise the timeout (--timeout) to a few seconds.`,
          ['show-log'],
        );
      return new SnagError(
        'timed-out',
        sampling
          ? `py-spy did not finish recording process ${pid} in time. The process may be too busy to pause; sample it with --nonblocking.`
          : `py-spy did not finish reading process ${pid} in time. The process may be too busy to pause; try a non-blocking dump.`,
        ['retry-nonblocking', 'show-log'],
      );
    }
    case 'cancelled':
      return new SnagError('cancelled', `${sampling ? 'Sampling' : 'Dump'} of process ${pid} cancelled.`);
    case 'output-too-large':
      // What py-spy printed is cut at the cap: never show its stderr as if it were py-spy's error.
      return toolOutputError('py-spy', err, pid, '', sampling ? 'sampling' : 'dump');
    default:
      break;
  }
  if (killedBy(err)) return toolSignalError('py-spy', err, pid);
  if (/SYS_PTRACE/i.test(text))
    return new SnagError(
      'permission-denied',
      `py-spy may not attach to process ${pid}: the container lacks the SYS_PTRACE capability. Start it with --cap-add SYS_PTRACE (Kubernetes: securityContext.capabilities.add: ["SYS_PTRACE"]).`,
      ['add-sys-ptrace', 'use-sidecar'],
    );
  if (/Permission Denied|Operation not permitted|os error 1\b|os error 13\b/i.test(text))
    return new SnagError('permission-denied', `Permission denied attaching to process ${pid}: ${ptraceHelp(where)}.`, ['ptrace-help']);
  if (/No such file or directory \(os error 2\)|No such process|os error 3\b|Check that the process is running/i.test(text))
    return new SnagError('process-gone', `Process ${pid} is not running (it has exited, or there is no such process).`, ['refresh-processes']);
  if (/Failed to suspend process/i.test(text))
    return new SnagError(
      'tool-failed',
      `py-spy could not pause process ${pid}: it is stopped (Ctrl-Z, SIGSTOP) or held by a debugger. Resume it (kill -CONT ${pid}) to sample it; a dump reads a stopped process with gdb.`,
      ['show-log'],
    );
  if (/Failed to find python version|Failed to find a python interpreter|not a python/i.test(text))
    return new SnagError(
      'not-python',
      `Process ${pid} is not running a Python interpreter py-spy can read (it may be a launcher; dump its Python child instead).`,
      ['refresh-processes'],
    );
  if (/Unsupported version|unsupported python version|Failed to find interpreter/i.test(text))
    return new SnagError(
      'unsupported-python',
      `py-spy cannot read this Python version in process ${pid}. Upgrade py-spy (pip install -U py-spy) or use the gdb backend.`,
      ['install-pyspy'],
    );
  // The reason is on stderr; stdout is (part of) the JSON dump, never a message.
  const lines = err.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^Stack backtrace|^\d+:|^note: |^at /.test(l));
  // A Rust panic says where it panicked first and what went wrong on the next line; a Python
  // traceback (a py-spy wrapper script, a pip shim) ends with the exception that says why.
  const panic = lines.findIndex((l) => /panicked at/.test(l));
  const traceback = lines[0]?.startsWith('Traceback (most recent call last)');
  const reason = panic >= 0 ? (lines[panic + 1] ?? lines[panic]) : traceback ? lines.at(-1) : lines[0];
  const first = reason?.replace(/^Error:\s*/, '');
  const code = err.exitCode === undefined ? '' : ` (exit code ${err.exitCode})`;
  const why = first ? safeText(first.length > 300 ? `${first.slice(0, 300)}…` : first) : `it exited${code} without saying why`;
  return new SnagError('tool-failed', `py-spy failed on process ${pid}: ${why}`, ['show-log'], { cause: err });
}
