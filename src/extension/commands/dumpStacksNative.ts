import * as vscode from 'vscode';
import type { Services } from '../services';
import { dumpStacksWith } from './dumpStacks';

export function dumpStacksNative(s: Services): (node?: unknown) => Promise<void> {
  return dumpStacksWith(s, { native: true }, vscode.l10n.t('Dump Stacks with Native Frames of…'));
}
