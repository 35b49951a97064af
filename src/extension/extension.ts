// activate(): builds Snag's pieces and registers them — nothing else happens here.
import * as vscode from 'vscode';
import { ViewId } from './commands/commandIds';
import { SIDECAR_FIX_LABEL, withStrategy } from './targets/containerTargetProvider';
import { StackDecorations } from './dumps/decorations';
import { TaskDecorations } from './dumps/taskDecorations';
import { DumpHistory } from './dumps/dumpHistory';
import { Dumper } from './dumps/dumper';
import { Fixes } from './fixes';
import { createLog } from './log';
import { ProcessTreeProvider } from './targets/processTree';
import { registerCommands } from './commands/registerCommands';
import { registerTrees } from './registerTrees';
import { RemoteDocuments, REMOTE_SCHEME } from './dumps/remoteDocuments';
import { ReportDocuments } from './dumps/reportDocuments';
import { HeatDecorations } from './sampling/heatDecorations';
import { SamplingController } from './sampling/samplingController';
import { SamplingStatusBar } from './sampling/samplingStatusBar';
import { SamplingViewProvider } from './sampling/samplingView';
import { readSettings } from './settings';
import { registerSshFixes } from './targets/sshTargetProvider';
import { StackTreeProvider } from './dumps/stackTree';
import { StoppedThreadsLens } from './dumps/stoppedThreadsLens';
import { createTargetKinds, isDisposable } from './targets/targetKinds';
import { TargetProviders } from './targets/targetProviders';
import { watchWalkthrough } from './walkthroughProgress';

export function activate(context: vscode.ExtensionContext): void {
  const push = (...d: vscode.Disposable[]) => context.subscriptions.push(...d);
  push(createLog());
  const settings = readSettings();

  // Where processes live: one provider per kind of target (targets/targetKinds.ts lists them).
  const providers = new TargetProviders();
  push(providers);
  const kinds = createTargetKinds();
  for (const provider of Object.values(kinds)) push(...(isDisposable(provider) ? [provider] : []), providers.register(provider));
  const sshHosts = kinds.ssh;

  // What error notifications can offer; targets register their own fixes here.
  const fixes = new Fixes(context.extensionUri);
  const history = new DumpHistory(settings.historySize);
  const dumper = new Dumper(history, fixes);
  const processTree = new ProcessTreeProvider(providers, settings.pythonOnly, (target, pids, all) => history.noteListed(target, pids, all));
  const stackTree = new StackTreeProvider(history);
  const decorations = new StackDecorations(history, context.extensionUri);
  const reports = new ReportDocuments();
  push(dumper, processTree, stackTree, decorations, reports);
  // Where the dump's asyncio tasks wait, marked like the threads' frames (and cleared with them).
  push(new TaskDecorations(decorations, context.extensionUri));
  // A container process whose ptrace was refused: read it again from a sidecar container.
  push(
    fixes.register('use-sidecar', {
      label: SIDECAR_FIX_LABEL,
      run: (ctx) => {
        const ref = ctx.ref && withStrategy(ctx.ref, 'sidecar');
        return ref && dumper.dump(ref);
      },
    }),
  );
  // SSH: open a terminal to a host, copy py-spy there; files without a local copy open read-only.
  push(
    ...registerSshFixes(fixes, sshHosts),
    vscode.workspace.registerTextDocumentContentProvider(REMOTE_SCHEME, new RemoteDocuments((id) => sshHosts.findTarget(id))),
  );
  push(vscode.languages.registerCodeLensProvider([{ scheme: 'file' }, { scheme: REMOTE_SCHEME }], new StoppedThreadsLens(decorations)));

  // Live sampling: one session per window, shown in the Sampling view, as heat and in the status bar.
  const sampling = new SamplingController(dumper, fixes);
  const samplingView = new SamplingViewProvider(context.extensionUri, sampling);
  push(sampling, samplingView, new HeatDecorations(sampling), new SamplingStatusBar(sampling));
  push(vscode.window.registerWebviewViewProvider(ViewId.Sampling, samplingView, { webviewOptions: { retainContextWhenHidden: false } }));

  const { processView, stackView, disposables } = registerTrees(processTree, stackTree, history);
  push(...disposables, watchWalkthrough());
  push(
    ...registerCommands({
      extensionUri: context.extensionUri,
      providers,
      history,
      dumper,
      fixes,
      processTree,
      stackTree,
      decorations,
      reports,
      processView,
      stackView,
      sshHosts,
      sampling,
      samplingView,
    }),
  );
}

export function deactivate(): void {}
