// Errors are values: a reason code the UI can branch on, one user-facing sentence (what failed,
// why, what to do) and the fixes the UI can offer as buttons. Never match on message text.

export type SnagErrorReason =
  | 'tool-not-found'
  | 'permission-denied'
  | 'process-gone'
  | 'not-python'
  | 'unsupported-python'
  | 'timed-out'
  | 'cancelled'
  | 'tool-failed'
  | 'unreachable'
  | 'bad-input';

/** Actions the extension turns into notification buttons. */
export type SnagFix =
  | 'install-pyspy'
  | 'configure-pyspy-path'
  | 'ptrace-help'
  | 'add-sys-ptrace'
  | 'use-sidecar'
  | 'install-gdb'
  | 'retry-nonblocking'
  | 'refresh-processes'
  | 'ssh-terminal'
  | 'copy-pyspy'
  | 'show-log';

export class SnagError extends Error {
  override readonly name = 'SnagError';
  constructor(
    readonly reason: SnagErrorReason,
    message: string,
    readonly fixes: readonly SnagFix[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  static is(err: unknown, reason?: SnagErrorReason): err is SnagError {
    return err instanceof SnagError && (reason === undefined || err.reason === reason);
  }
}

/**
 * The target exited during a read and its pid names another process now: nothing read under that
 * pid since is the target's, nor may anything be asked about it (its kind, its state).
 */
export class PidReusedError extends SnagError {
  constructor(message: string) {
    super('process-gone', message, ['refresh-processes']);
  }
}

/** One line for a terminal or a notification, whatever was thrown. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? err.message;
  return String(err);
}

/** The same error with one more sentence (what Snag did about the target), when there is one. */
export function withRemark(err: unknown, remark: string): unknown {
  if (!remark) return err;
  // Two sentences, never run together: "…: boom. Process 7 was left stopped…".
  const sep = /[.!?]$/.test(err instanceof Error ? err.message.trimEnd() : '') ? ' ' : '. ';
  if (SnagError.is(err)) return new SnagError(err.reason, `${err.message.trimEnd()}${sep}${remark}`, err.fixes, { cause: err.cause ?? err });
  return err;
}
