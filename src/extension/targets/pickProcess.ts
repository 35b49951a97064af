// A QuickPick over every target's processes: rows arrive target by target as their listings
// finish, typing filters on name, pid and command line, and a title button switches between
// Python processes and all processes. Used by "Attach to Process…" and as the fallback of every
// command that needs a process.
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import { describeProcess } from '../../core/format/processTree';
import { iconFreeText } from '../../core/text/markdown';
import { logError } from '../log';
import { readSettings } from '../settings';
import type { ProcessRef, TargetProviders } from './targetProviders';

interface ProcessItem extends vscode.QuickPickItem {
  ref?: ProcessRef;
}

export async function pickProcess(providers: TargetProviders, title: string): Promise<ProcessRef | undefined> {
  const qp = vscode.window.createQuickPick<ProcessItem>();
  qp.title = title;
  qp.placeholder = vscode.l10n.t('Type to filter by name, pid or command line');
  qp.matchOnDescription = true;
  qp.matchOnDetail = true;
  qp.busy = true;
  let pythonOnly = readSettings().pythonOnly;
  const toggle = (): vscode.QuickInputButton => ({
    iconPath: new vscode.ThemeIcon(pythonOnly ? 'filter-filled' : 'filter'),
    tooltip: pythonOnly ? vscode.l10n.t('Showing Python processes — show all') : vscode.l10n.t('Showing all processes — show Python only'),
  });
  qp.buttons = [toggle()];
  let controller = new AbortController();

  const load = async () => {
    controller.abort();
    controller = new AbortController();
    const signal = controller.signal;
    qp.busy = true;
    qp.items = [];
    const sections: ProcessItem[][] = [];
    const show = () => {
      if (!signal.aborted) qp.items = sections.flat();
    };
    const errors: ProcessItem[] = [];
    const targets = await providers.targets(signal, (group, err) => {
      logError(`listing ${group} failed`, err);
      errors.push({ label: `$(error) ${iconFreeText(group)}`, description: iconFreeText(errorMessage(err)), alwaysShow: true });
    });
    await Promise.all(
      targets.map(async ({ target, path }, i) => {
        // Every text shown here is the targets' own: neutralised, with no `$(icon)` of its own.
        const where = iconFreeText(path.join(' › '));
        try {
          const procs = await target.listProcesses({ all: !pythonOnly, signal });
          sections[i] = [
            { label: where, kind: vscode.QuickPickItemKind.Separator },
            ...procs.map((p) => ({
              label: iconFreeText(p.name),
              description: describeProcess(p),
              detail: iconFreeText(p.command),
              ref: { target, process: p, path },
            })),
          ];
        } catch (err) {
          if (signal.aborted) return;
          logError(`listing processes of ${where} failed`, err);
          sections[i] = [
            { label: where, kind: vscode.QuickPickItemKind.Separator },
            { label: `$(error) ${iconFreeText(errorMessage(err))}`, alwaysShow: true },
          ];
        }
        show();
      }),
    );
    sections.push(errors);
    show();
    if (!signal.aborted) qp.busy = false;
  };

  return new Promise<ProcessRef | undefined>((resolve) => {
    qp.onDidTriggerButton(() => {
      pythonOnly = !pythonOnly;
      qp.buttons = [toggle()];
      void load();
    });
    qp.onDidAccept(() => {
      const ref = qp.selectedItems[0]?.ref;
      if (!ref) return;
      resolve(ref);
      qp.hide();
    });
    qp.onDidHide(() => {
      controller.abort();
      resolve(undefined);
      qp.dispose();
    });
    qp.show();
    void load();
  });
}
