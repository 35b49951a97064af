// The Sampling commands: start on a process row (or a picked process), pause, resume, stop, and
// save / load a session as speedscope JSON. Save and Load take a Uri argument to skip the dialog.
import * as vscode from 'vscode';
import { fromSpeedscope, toSpeedscope } from '../../core/sampling/speedscope';
import { frameMapperFor } from '../../core/sampling/frameMapper';
import { SNAG_VERSION } from '../../core/version';
import { pickProcess } from '../targets/pickProcess';
import { isProcessNode } from '../targets/processTree';
import type { Services } from '../services';
import type { ProcessRef } from '../targets/targetProviders';

export function startSampling(s: Services): (node?: unknown) => Promise<void> {
  return async (node?: unknown) => {
    // A process row, the process the Sampling view sampled last ("Start again"), or a picked one.
    const ref = isProcessNode(node) || isProcessRef(node) ? node : await pickProcess(s.providers, vscode.l10n.t('Start Sampling'));
    if (!ref) return;
    await s.sampling.start(ref);
    await s.samplingView.reveal();
  };
}

function isProcessRef(x: unknown): x is ProcessRef {
  return !!x && typeof x === 'object' && 'target' in x && 'process' in x;
}

export function pauseSampling(s: Services): () => Promise<void> {
  return () => s.sampling.pause();
}

export function resumeSampling(s: Services): () => Promise<void> {
  return () => s.sampling.resume();
}

export function stopSampling(s: Services): () => Promise<void> {
  return () => s.sampling.stop();
}

function fileSafe(text: string): string {
  return (
    text
      .replace(/[^\w.-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'profile'
  );
}

export function saveSampling(s: Services): (uri?: unknown) => Promise<void> {
  return async (uri?: unknown) => {
    const profile = s.sampling.currentProfile();
    const stamp = profile.startedAt.replace(/[:.]/g, '-').slice(0, 19);
    const name = `snag-${fileSafe(s.sampling.process?.process.name ?? `pid-${profile.pid}`)}-${profile.pid}-${stamp}.speedscope.json`;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target =
      uri instanceof vscode.Uri
        ? uri
        : await vscode.window.showSaveDialog({
            title: vscode.l10n.t('Save Sampling Session'),
            defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
            filters: { [vscode.l10n.t('speedscope profile')]: ['json'] },
          });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(toSpeedscope(profile, `snag@${SNAG_VERSION}`)));
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Saved {0} samples to {1} (opens in speedscope.app too).', profile.samples, vscode.workspace.asRelativePath(target)),
    );
  };
}

export function loadSampling(s: Services): (uri?: unknown) => Promise<void> {
  return async (uri?: unknown) => {
    const picked =
      uri instanceof vscode.Uri
        ? uri
        : (
            await vscode.window.showOpenDialog({
              title: vscode.l10n.t('Load Sampling Session'),
              canSelectMany: false,
              filters: { [vscode.l10n.t('speedscope profile')]: ['json'] },
            })
          )?.[0];
    if (!picked) return;
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(picked));
    const file = picked.path.slice(picked.path.lastIndexOf('/') + 1);
    const profile = await fromSpeedscope(text, file, frameMapperFor(s.dumper.workspaceMapper()));
    await s.sampling.show(profile, profile.label ? `${profile.label} — ${file}` : file);
    await s.samplingView.reveal();
  };
}
