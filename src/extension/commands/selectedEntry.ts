// The dump a Stacks-view command acts on: the row's dump when run from its context menu, else the selected one.
import * as vscode from 'vscode';
import type { DumpEntry } from '../dumps/dumpHistory';
import type { Services } from '../services';

export function entryFor(s: Services, node: unknown): DumpEntry | undefined {
  const fromNode = node && typeof node === 'object' && (node as { kind?: unknown }).kind === 'dump' ? (node as { entry: DumpEntry }).entry : undefined;
  const entry = fromNode ?? s.history.selected;
  if (!entry) void vscode.window.showInformationMessage(vscode.l10n.t('No dump yet: dump a process first.'));
  return entry;
}
