// The "Snag" LogOutputChannel: every program Snag runs (argv, exit, timing) and every failure.
// One channel behind a few small functions, so no other module holds it.
import * as vscode from 'vscode';
import { SnagError } from '../core/errors';
import { displayArgv, onDidRun } from '../core/run';
import { safeLines } from '../core/text/safeText';

let channel: vscode.LogOutputChannel | undefined;

export function createLog(): vscode.Disposable {
  channel = vscode.window.createOutputChannel('Snag', { log: true });
  const unsubscribe = onDidRun((e) => {
    const what = `${displayArgv(e.argv)} → ${e.failure ? e.failure : `exit ${e.exitCode}`} in ${e.durationMs} ms`;
    if (e.failure && e.failure !== 'cancelled') channel?.warn(what);
    else channel?.info(what);
  });
  return vscode.Disposable.from(channel, { dispose: unsubscribe }, { dispose: () => (channel = undefined) });
}

// Messages quote names, command lines and tool stderr from the target: no ESC or bidi character
// reaches the channel (the line breaks Snag's own messages and stacks have stay).
export function logInfo(message: string): void {
  channel?.info(safeLines(message));
}

/** Expected failures (SnagError) are logged as their sentence and cause; anything else with its stack. */
export function logError(message: string, err?: unknown): void {
  if (err === undefined) return void channel?.error(safeLines(message));
  if (SnagError.is(err)) {
    const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
    return void channel?.error(safeLines(`${message}: ${err.message}${cause}`));
  }
  channel?.error(safeLines(`${message}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));
}

export function showLog(): void {
  channel?.show(true);
}
