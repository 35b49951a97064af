// `--container NAME` (and `snag ps --docker`): a process in a docker or podman container on this
// machine, read through the ways in the container target offers (host PID, exec, copy-in, sidecar).
import { checkContainerName } from '../validate/containerName';
import { errorMessage, SnagError } from '../errors';
import { buildProcessTree, describeProcess, type ProcessNode } from '../format/processTree';
import type { ProcessInfo } from '../model';
import { STRATEGY_ORDER, type ContainerStrategyChoice } from '../targets/containerWays';
import { ContainerEngine, detectEngines, type ContainerSummary, type EngineChoice } from '../targets/containerEngine';
import { ContainerTarget } from '../targets/docker';
import { LocalTarget } from '../targets/local';
import { safeText } from '../text/safeText';
import { stringValue, type PsListing, type TargetKindDescriptor } from './targetKind';

export function parseEngine(s: string | undefined): EngineChoice {
  const v = s ?? process.env.SNAG_CONTAINER_ENGINE ?? 'auto';
  if (v === 'auto' || v === 'docker' || v === 'podman') return v;
  throw new SnagError('bad-input', `--engine expects auto, docker or podman, got "${v}"`);
}

export function parseStrategy(s: string | undefined): ContainerStrategyChoice {
  const v = s ?? 'auto';
  if (v === 'auto' || (STRATEGY_ORDER as readonly string[]).includes(v)) return v as ContainerStrategyChoice;
  throw new SnagError('bad-input', `--strategy expects auto, ${STRATEGY_ORDER.join(', ')}, got "${v}"`);
}

/** The container by name or id, on the chosen engine (auto: the first engine that has it). */
export async function openContainerTarget(
  nameOrId: string,
  choice: EngineChoice,
  strategy: ContainerStrategyChoice,
  signal?: AbortSignal,
): Promise<ContainerTarget> {
  checkContainerName(nameOrId);
  const parent = new LocalTarget();
  const engines =
    choice === 'auto' ? (await detectEngines(parent, 'auto', signal)).filter((e) => !e.error).map((e) => e.engine) : [new ContainerEngine(choice, parent)];
  if (engines.length === 0) throw new SnagError('tool-not-found', 'Neither docker nor podman answers on this machine (see snag ps --docker).');
  let firstError: unknown;
  for (const engine of engines) {
    try {
      return await ContainerTarget.open(engine, nameOrId, { strategy }, signal);
    } catch (err) {
      firstError ??= err;
    }
  }
  throw firstError;
}

interface ContainerJson extends ContainerSummary {
  processes?: ProcessInfo[];
  error?: string;
}

interface EngineJson {
  engine: string;
  version?: string;
  context?: string;
  endpoint?: string;
  error?: string;
  containers: ContainerJson[];
}

async function collect(opts: { container?: string; engine: EngineChoice; all?: boolean }, signal?: AbortSignal): Promise<EngineJson[]> {
  const out: EngineJson[] = [];
  for (const { engine, info, error } of await detectEngines(new LocalTarget(), opts.engine, signal)) {
    const e: EngineJson = { engine: engine.kind, version: info?.serverVersion, context: info?.context, endpoint: info?.endpoint, containers: [] };
    out.push(e);
    if (error) {
      e.error = errorMessage(error);
      continue;
    }
    try {
      const all = await engine.listContainers(signal);
      const picked = opts.container ? all.filter((c) => c.name === opts.container || c.id.startsWith(opts.container!)) : all;
      e.containers = await Promise.all(
        picked.map(async (c): Promise<ContainerJson> => {
          try {
            return { ...c, processes: await new ContainerTarget(engine, c).listProcesses({ all: opts.all, signal }) };
          } catch (err) {
            return { ...c, error: errorMessage(err) };
          }
        }),
      );
    } catch (err) {
      e.error = errorMessage(err);
    }
  }
  return out;
}

/** `snag ps --docker` / `--container NAME`: every engine, its containers, their processes. */
async function containerPs(opts: { container?: string; engine?: string; all?: boolean }, signal?: AbortSignal): Promise<PsListing> {
  if (opts.container !== undefined) checkContainerName(opts.container);
  const engines = await collect({ container: opts.container, engine: parseEngine(opts.engine), all: opts.all }, signal);
  if (opts.container && !engines.some((e) => e.containers.length)) throw new SnagError('bad-input', `No running container named ${opts.container}.`);
  if (engines.length === 0) return { json: engines, text: 'Neither docker nor podman is installed.\n' };
  const lines: string[] = [];
  for (const e of engines) {
    const where = [e.context && `context ${e.context}`, e.endpoint].filter(Boolean).join(', ');
    lines.push(
      `${e.engine === 'docker' ? 'Docker' : 'Podman'}${e.version ? ` ${e.version}` : ''}${where ? ` (${where})` : ''}${e.error ? `: ${e.error}` : ''}`,
    );
    if (!e.error && e.containers.length === 0) lines.push('   (no running containers)');
    e.containers.forEach((c, i) => {
      const last = i === e.containers.length - 1;
      lines.push(`${last ? '└─ ' : '├─ '}${c.name}  ${c.image}  ${c.status}  ${c.id.slice(0, 12)}${c.error ? `: ${c.error}` : ''}`);
      const pad = last ? '   ' : '│  ';
      if (c.processes && c.processes.length === 0) lines.push(`${pad}   (no Python processes; --all lists every process)`);
      const walk = (nodes: ProcessNode[], prefix: string) =>
        nodes.forEach((n, j) => {
          const end = j === nodes.length - 1;
          const p = n.process;
          const host = p.hostPid ? ` (host pid ${p.hostPid})` : '';
          lines.push(`${prefix}${end ? '└─ ' : '├─ '}${p.name}  ${describeProcess(p)}${host}${opts.all && p.isPython ? '  [python]' : ''}`);
          lines.push(`${prefix}${end ? '   ' : '│  '}   ${p.command.length > 160 ? p.command.slice(0, 157) + '…' : p.command}`);
          walk(n.children, prefix + (end ? '   ' : '│  '));
        });
      walk(buildProcessTree(c.processes ?? []), pad);
    });
  }
  // Container, image and process names come from the engine and the processes: each line neutralised.
  return { json: engines, text: lines.map(safeText).join('\n') + '\n' };
}

export const containerKind: TargetKindDescriptor = {
  id: 'docker',
  options: { container: { type: 'string' }, engine: { type: 'string' } },
  psOptions: { docker: { type: 'boolean' } },
  readOptions: { strategy: { type: 'string' } },
  pickedBy: ['container', 'docker'],
  // Containers are found through this machine's engine: with another place they would quietly read a container here.
  alone: (other) => `snag reads the containers of the machine it runs on. To read a container on ${other}, run snag there; or drop one of the two.`,
  usage: {
    pick: '--container NAME',
    ps: [
      '  snag ps --docker | --container NAME [--engine auto|docker|podman] [--all] [--json]',
      "                                              the containers' processes",
    ],
    read: [
      '  --container NAME [--strategy auto|host|exec|copy|sidecar] [--engine E]',
      '                         a process in a container (its pid as the container sees it)',
    ],
  },
  localPids: false,
  open: (values, ctx) =>
    openContainerTarget(
      stringValue(values, 'container') ?? '',
      parseEngine(stringValue(values, 'engine')),
      parseStrategy(stringValue(values, 'strategy')),
      ctx.signal,
    ),
  ps: (values, ctx) =>
    containerPs({ container: stringValue(values, 'container'), engine: stringValue(values, 'engine'), all: values.all === true }, ctx.signal),
};
