import * as vscode from 'vscode';
import type { Services } from '../services';
import { dumpStacksWith } from './dumpStacks';

export function dumpStacksLocals(s: Services): (node?: unknown) => Promise<void> {
  return dumpStacksWith(s, { locals: true }, vscode.l10n.t('Dump Stacks with Locals of…'));
}
