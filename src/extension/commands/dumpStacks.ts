// "Dump Stacks" on a process row (or a picked process): dump, then reveal where it is stopped.
import * as vscode from 'vscode';
import type { DumpOptions } from '../../core/model';
import { pickProcess } from '../targets/pickProcess';
import { isProcessNode } from '../targets/processTree';
import type { Services } from '../services';
import type { ProcessRef } from '../targets/targetProviders';

export async function dumpAndShow(s: Services, ref: ProcessRef, options: DumpOptions): Promise<void> {
  const entry = await s.dumper.dump(ref, options);
  if (!entry) return;
  const focus = s.stackTree.focusNode();
  try {
    // Show the Stacks view with the "◀ here" frame selected, without taking the keyboard focus.
    if (focus) await s.stackView.reveal(focus, { select: true, focus: false, expand: true });
    else if (!s.stackView.visible) await vscode.commands.executeCommand('snag.stacks.focus');
  } catch {
    /* the view container is closed; the dump is still in the history and on the editors */
  }
}

/** A command that dumps the node's process, or a picked one when run from the palette. */
export function dumpStacksWith(s: Services, options: DumpOptions, title: string): (node?: unknown) => Promise<void> {
  return async (node?: unknown) => {
    const ref = isProcessNode(node) ? node : await pickProcess(s.providers, title);
    if (ref) await dumpAndShow(s, ref, options);
  };
}

export function dumpStacks(s: Services): (node?: unknown) => Promise<void> {
  return dumpStacksWith(s, {}, vscode.l10n.t('Dump Stacks of…'));
}
