// Docker and Podman in the Processes view: a group per engine (snag.containers.engine: auto shows
// every engine whose CLI is installed) → its running containers (name, image, status) → their
// processes. Dumping one goes through the container target's ways in (snag.containers.dumpStrategy).
import * as vscode from 'vscode';
import { codeSpan, escapeMarkdown } from '../../core/text/markdown';
import type { ContainerStrategy, ContainerStrategyChoice } from '../../core/targets/containerWays';
import { detectEngines, type ContainerEngine, type EngineChoice, type EngineInfo, type EngineKind } from '../../core/targets/containerEngine';
import { absentEngineHint, EngineWatch } from '../../core/targets/engineState';
import { ContainerTarget } from '../../core/targets/docker';
import { LocalTarget } from '../../core/targets/local';
import { affectsSnag, SECTION } from '../settings';
import type { ProcessRef, TargetGroup, TargetProvider } from './targetProviders';

export interface ContainerSettings {
  engine: EngineChoice;
  strategy: ContainerStrategyChoice;
  /** snag.containers.hiddenEngines: engines the user chose not to see (Hide This Engine). */
  hidden: EngineKind[];
}

const RETRY_FAILED_ENGINE_MS = 30_000;

const STRATEGIES: readonly ContainerStrategyChoice[] = ['auto', 'host', 'exec', 'copy', 'sidecar'];

export function readContainerSettings(): ContainerSettings {
  const c = vscode.workspace.getConfiguration(SECTION);
  const engine = c.get<string>('containers.engine', 'auto');
  const strategy = c.get<string>('containers.dumpStrategy', 'auto');
  const hidden = c.get<unknown>('containers.hiddenEngines', []);
  return {
    engine: engine === 'docker' || engine === 'podman' ? engine : 'auto',
    strategy: (STRATEGIES as readonly string[]).includes(strategy) ? (strategy as ContainerStrategyChoice) : 'auto',
    hidden: Array.isArray(hidden) ? hidden.filter((k): k is EngineKind => k === 'docker' || k === 'podman') : [],
  };
}

function engineDescription(info: EngineInfo | undefined): string | undefined {
  if (!info) return undefined;
  const context = info.context && info.context !== 'default' ? info.context : undefined;
  return [info.serverVersion, context, context ? undefined : info.endpoint].filter(Boolean).join(' · ') || undefined;
}

/** A group for one engine and its containers (also used under an ssh host). */
export function engineGroup(engine: ContainerEngine, info: EngineInfo | undefined, error: unknown, settings: ContainerSettings): TargetGroup {
  return {
    id: `containers:${engine.id}`,
    engine: engine.kind,
    label: engine.label,
    description: error ? vscode.l10n.t('not available') : engineDescription(info),
    tooltip: info?.endpoint ? vscode.l10n.t('{0} at {1}', engine.label, info.endpoint) : engine.label,
    icon: 'server-environment',
    contextValue: 'dockerEngine',
    emptyMessage: vscode.l10n.t('No running containers'),
    children: async (signal) => {
      if (error) throw error;
      const containers = await engine.listContainers(signal);
      return containers.map((c): TargetGroup => ({
        id: `containers:${engine.id}:${c.id}`,
        label: c.name,
        description: `${c.image} · ${c.status}`,
        // Names, image and status come from the engine: escaped, so none of them becomes Markdown or a link.
        tooltip: new vscode.MarkdownString(
          `**${escapeMarkdown(c.name)}** (${escapeMarkdown(c.id.slice(0, 12))})\n\n${vscode.l10n.t('Image')}: ${codeSpan(c.image)}\n\n${escapeMarkdown(c.status)}`,
        ),
        icon: 'package',
        contextValue: 'container',
        target: new ContainerTarget(engine, c, { strategy: settings.strategy }),
        emptyMessage: vscode.l10n.t('No Python processes'),
      }));
    },
  };
}

/**
 * An engine that is merely not there (no daemon answering, not installed): a quiet row, folded,
 * whose one row says how to start it; its inline action hides the engine. Nothing to pick, no error.
 */
export function absentEngineGroup(engine: ContainerEngine, error: unknown): TargetGroup {
  const hint = absentEngineHint(engine, error);
  return {
    id: `containers:${engine.id}`,
    engine: engine.kind,
    label: engine.label,
    description: vscode.l10n.t('not running'),
    tooltip: `${hint} ${vscode.l10n.t('Or hide {0} here (the eye button; snag.containers.hiddenEngines).', engine.label)}`,
    icon: 'circle-slash',
    contextValue: `containerEngine engineAbsent engine-${engine.kind}`,
    expanded: false,
    hint,
  };
}

export function createContainerTargetProvider(): TargetProvider & vscode.Disposable {
  const changed = new vscode.EventEmitter<void>();
  // The engines (and the parent they run on) are probed once per refresh round of the view; an
  // engine that did not answer is asked again after a while, not at every auto-refresh (the log
  // would fill with its failures), or at once when the user refreshes.
  const parent = new LocalTarget();
  let lastFailed: { at: number; engines: Awaited<ReturnType<typeof detectEngines>> } | undefined;
  // Which engines answered in this window: one that stops afterwards is an error, not a hint.
  const watch = new EngineWatch();
  const listener = vscode.workspace.onDidChangeConfiguration((e) => {
    if (!affectsSnag(e, 'containers')) return;
    lastFailed = undefined;
    changed.fire();
  });
  return {
    id: 'containers',
    onDidChange: changed.event,
    groups: async (signal) => {
      const settings = readContainerSettings();
      const recent = lastFailed && Date.now() - lastFailed.at < RETRY_FAILED_ENGINE_MS ? lastFailed.engines : undefined;
      const engines = recent ?? (await detectEngines(parent, settings.engine, signal));
      if (!recent) lastFailed = engines.some((e) => e.error) && !signal.aborted ? { at: Date.now(), engines } : undefined;
      return engines
        .filter(({ engine }) => !settings.hidden.includes(engine.kind))
        .map((probe) =>
          watch.judge(probe) === 'absent' ? absentEngineGroup(probe.engine, probe.error) : engineGroup(probe.engine, probe.info, probe.error, settings),
        );
    },
    forgetFailures: () => {
      lastFailed = undefined;
    },
    dispose: () => {
      listener.dispose();
      changed.dispose();
    },
  };
}

/** The same process, read with one particular way in (the `use-sidecar` fix). */
export function withStrategy(ref: ProcessRef, strategy: ContainerStrategy): ProcessRef | undefined {
  if (!(ref.target instanceof ContainerTarget)) return undefined;
  const t = ref.target;
  return { ...ref, target: new ContainerTarget(t.engine, t.container, { ...t.options, strategy }) };
}

export const SIDECAR_FIX_LABEL = vscode.l10n.t('Use a Sidecar Container');
