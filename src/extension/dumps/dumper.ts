// Takes one dump of a process under a cancellable progress notification, records it in the
// history (which selects it: Stacks view and decorations follow) and turns failures into one
// actionable notification.
import * as vscode from 'vscode';
import { safeText } from '../../core/text/safeText';
import { dumpProcess } from '../../core/pipeline/dumpProcess';
import { SnagError } from '../../core/errors';
import type { DumpOptions } from '../../core/model';
import { SourceMapper } from '../../core/mapping/sourceMap';
import { createBackend } from '../backends';
import { Cmd } from '../commands/commandIds';
import { processKey, type DumpEntry, type DumpHistory } from './dumpHistory';
import { showSnagError } from '../errorNotification';
import type { Fixes } from '../fixes';
import { logInfo } from '../log';
import { affectsSnag, readSettings, workspaceRoots } from '../settings';
import type { ProcessRef } from '../targets/targetProviders';
import { markWalkthroughStep } from '../walkthroughProgress';

export class Dumper implements vscode.Disposable {
  private mapper?: SourceMapper;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly history: DumpHistory,
    private readonly fixes: Fixes,
  ) {
    // The mapper caches the workspace's file index; drop it when its inputs change.
    const reset = () => (this.mapper = undefined);
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.{py,pyx,pyi}', false, true, false);
    this.disposables.push(
      watcher,
      watcher.onDidCreate(() => this.mapper?.invalidate()),
      watcher.onDidDelete(() => this.mapper?.invalidate()),
      vscode.workspace.onDidChangeWorkspaceFolders(reset),
      vscode.workspace.onDidChangeConfiguration((e) => affectsSnag(e, 'pathMappings') && reset()),
    );
  }

  /** Dumps the process with the settings' defaults overridden by `options`. Undefined when it failed or was cancelled. */
  async dump(ref: ProcessRef, options: DumpOptions = {}): Promise<DumpEntry | undefined> {
    const settings = readSettings();
    const opts: DumpOptions = { ...settings.dump, ...options };
    const mapper = this.workspaceMapper();
    const p = ref.process;
    const where = (ref.path ?? [ref.target.ref.label]).join(' › ');
    const extras = [
      opts.native ? vscode.l10n.t('native frames') : '',
      opts.locals ? vscode.l10n.t('locals') : '',
      opts.nonblocking ? vscode.l10n.t('non-blocking') : '',
    ].filter(Boolean);
    const title = vscode.l10n.t('Dumping stacks of {0} (pid {1}){2}', safeText(p.name), p.pid, extras.length ? ` — ${extras.join(', ')}` : '');
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
      const controller = new AbortController();
      const onCancel = token.onCancellationRequested(() => controller.abort());
      try {
        const dump = await dumpProcess({
          target: ref.target,
          pid: p.pid,
          backend: createBackend(settings),
          mapper,
          process: p,
          signal: controller.signal,
          // The last reading of this process's asyncio tasks: a pile-up growing since is a finding.
          previousTasks: this.history.forProcess(processKey(ref.target.ref.id, p.pid))[0]?.dump.asyncio,
          // A slow reader (gdb on hundreds of threads) says how far it got.
          onProgress: (at) => progress.report({ message: vscode.l10n.t('{0} of {1} threads read', at.threadsRead, at.threads) }),
          ...opts,
        });
        const entry: DumpEntry = { key: processKey(ref.target.ref.id, p.pid), dump, processName: p.name, where, options: opts, source: ref };
        logInfo(
          `dumped ${p.name} (pid ${p.pid}) on ${where} with ${dump.backend}${dump.method ? ` (${dump.method})` : ''} in ${dump.durationMs} ms: ${dump.threads.length} threads, ${dump.findings.length} findings`,
        );
        return { entry };
      } catch (err) {
        return { err };
      } finally {
        onCancel.dispose();
      }
    });
    if ('err' in result) {
      if (SnagError.is(result.err, 'cancelled')) {
        logInfo(`dump of pid ${p.pid} cancelled`);
        return undefined;
      }
      if (SnagError.is(result.err, 'process-gone')) {
        this.history.markExited(processKey(ref.target.ref.id, p.pid));
        // Its row should not stay in the Processes view until the next refresh.
        void vscode.commands.executeCommand(Cmd.RefreshProcesses);
      }
      const retry = (more?: DumpOptions) => this.dump(ref, { ...options, ...more });
      void showSnagError(result.err, this.fixes, { ref, retry }, `dump of pid ${p.pid} failed`);
      return undefined;
    }
    this.history.add(result.entry);
    markWalkthroughStep('found');
    markWalkthroughStep('dumped');
    return result.entry;
  }

  /** The workspace's SourceMapper (its file index is cached until the workspace changes); sampling shares it. */
  workspaceMapper(): SourceMapper {
    this.mapper ??= new SourceMapper({ workspaceRoots: workspaceRoots(), mappings: readSettings().pathMappings });
    return this.mapper;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
