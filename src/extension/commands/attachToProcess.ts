// "Attach to Process…": pick any process of any target and dump its stacks.
import * as vscode from 'vscode';
import { pickProcess } from '../targets/pickProcess';
import type { Services } from '../services';
import { dumpAndShow } from './dumpStacks';

export function attachToProcess(s: Services): () => Promise<void> {
  return async () => {
    const ref = await pickProcess(s.providers, vscode.l10n.t('Attach to Process'));
    if (ref) await dumpAndShow(s, ref, {});
  };
}
