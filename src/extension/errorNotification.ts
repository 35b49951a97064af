// One notification per failure: the SnagError's sentence, and a button for each fix it names
// that this window can perform (at most three, "Show Log" last when there is room).
import * as vscode from 'vscode';
import { errorMessage, SnagError, type SnagFix } from '../core/errors';
import { safeText } from '../core/text/safeText';
import type { FixContext, Fixes } from './fixes';
import { logError } from './log';

const MAX_BUTTONS = 3;

export async function showSnagError(err: unknown, fixes: Fixes, ctx: FixContext = {}, what = 'Snag failed'): Promise<void> {
  logError(what, err);
  const actions = fixes.actions(ctx);
  const named: SnagFix[] = SnagError.is(err) ? [...err.fixes] : [];
  const available = named.filter((f) => actions[f]);
  // Nothing to do yet (no samples to save, a flag the user mistyped) is advice: no log to look at.
  const advice = SnagError.is(err, 'bad-input');
  if (!advice && !available.includes('show-log')) available.push('show-log');
  const shown = available.slice(0, MAX_BUTTONS);
  const labels = shown.map((f) => fixes.label(f));
  // A process that ended or is not Python is a fact about the process, not a failure of Snag.
  const mild = SnagError.is(err) && (err.reason === 'process-gone' || err.reason === 'not-python');
  const show = advice ? vscode.window.showInformationMessage : mild ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
  // The sentence may quote a process, thread or file name, or a tool's stderr: neutralised here, the one place it is shown.
  const picked = await show(safeText(errorMessage(err)), ...labels);
  const fix = shown[labels.indexOf(picked ?? '')];
  if (fix) await actions[fix]?.();
}
