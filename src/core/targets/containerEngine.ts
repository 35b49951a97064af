// A container engine reached through its CLI (`docker` or `podman`) on a parent target (this
// machine, later an ssh host). The CLI is run as is, so DOCKER_HOST, CONTAINER_HOST and docker
// contexts apply exactly as in the user's terminal. Each method is one CLI call plus its parser.
import { checkContainerName } from '../validate/containerName';
import { badOutput, parseToolJson, Shape } from '../validate/toolJson';
import { SnagError } from '../errors';
import type { RunOptions, RunResult } from '../run';
import { engineComplaint, engineFailure } from './containerErrors';
import type { Target } from './target';
import { isThisMachine, whereOf } from './targetPlace';

export type EngineKind = 'docker' | 'podman';
/** The setting `snag.containers.engine`. */
export type EngineChoice = 'auto' | EngineKind;

export const ENGINE_LABEL: Record<EngineKind, string> = { docker: 'Docker', podman: 'Podman' };

export interface ContainerSummary {
  /** Full container id. */
  id: string;
  name: string;
  /** The image as the user named it (`python:3.11-slim`). */
  image: string;
  /** `running`, `paused`, `exited`, ... */
  state: string;
  /** Human status (`Up 3 minutes`). */
  status: string;
}

export interface ContainerMount {
  type: string;
  /** Where the data lives on the engine's host (absent for tmpfs). */
  source?: string;
  destination: string;
}

export interface ContainerDetails extends ContainerSummary {
  /** Image id (`sha256:…`): what a sidecar runs, so it never pulls. */
  imageId: string;
  /** Host PID of the container's first process (0 when not running). */
  pid: number;
  running: boolean;
  /** `host` when the container shares the host's PID namespace. */
  pidMode: string;
  mounts: ContainerMount[];
}

export interface EngineInfo {
  serverVersion: string;
  /** Docker context in use (`default`), when the CLI has contexts. */
  context?: string;
  /** The endpoint the CLI talks to (`unix:///var/run/docker.sock`, `ssh://host`). */
  endpoint?: string;
}

const LIST_TIMEOUT_MS = 15_000;

// One JSON object per line; works for docker and podman, and never asks for .Size (slow).
const PS_FORMAT = '{"id":{{json .ID}},"name":{{json .Names}},"image":{{json .Image}},"state":{{json .State}},"status":{{json .Status}}}';

export class ContainerEngine {
  constructor(
    readonly kind: EngineKind,
    /** Where the CLI runs. */
    readonly parent: Target,
    /** The CLI to run (a path or a name on the parent's PATH). */
    readonly cli: string = kind,
  ) {}

  get label(): string {
    return ENGINE_LABEL[this.kind];
  }

  /** Stable id for trees and target ids: `docker`, `podman@ssh:prod-1`. */
  get id(): string {
    return isThisMachine(this.parent) ? this.kind : `${this.kind}@${this.parent.ref.id}`;
  }

  /** argv of one CLI call, as the parent will start it. */
  argv(args: readonly string[]): string[] {
    return [this.cli, ...args];
  }

  /** Runs one CLI call on the parent. Failures stay RunErrors (classified by the caller). */
  exec(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    return this.parent.runner.run(this.argv(args), { timeoutMs: LIST_TIMEOUT_MS, ...opts });
  }

  /** Version, context and endpoint; throws a SnagError when the engine cannot be used. */
  async info(signal?: AbortSignal): Promise<EngineInfo> {
    try {
      if (this.kind === 'podman') {
        const { stdout } = await this.exec(['version', '--format', '{{.Client.Version}}'], { signal, timeoutMs: 10_000 });
        return { serverVersion: stdout.trim() };
      }
      const { stdout } = await this.exec(['version', '--format', '{{.Server.Version}}|{{.Client.Context}}'], { signal, timeoutMs: 10_000 });
      const [serverVersion = '', context] = stdout.trim().split('|');
      let endpoint: string | undefined;
      try {
        endpoint = (await this.exec(['context', 'inspect', '--format', '{{.Endpoints.docker.Host}}'], { signal, timeoutMs: 5_000 })).stdout.trim() || undefined;
      } catch {
        /* old CLIs without contexts */
      }
      return { serverVersion, context: context || undefined, endpoint };
    } catch (err) {
      throw this.error(err);
    }
  }

  async listContainers(signal?: AbortSignal): Promise<ContainerSummary[]> {
    let stdout: string;
    try {
      ({ stdout } = await this.exec(['ps', '--no-trunc', '--format', PS_FORMAT], { signal }));
    } catch (err) {
      throw this.error(err);
    }
    return this.readable(() => parseContainerList(stdout, this.cli), ['ps']);
  }

  async inspect(idOrName: string, signal?: AbortSignal): Promise<ContainerDetails> {
    const name = checkContainerName(idOrName);
    let stdout: string;
    try {
      ({ stdout } = await this.exec(['inspect', '--type', 'container', '--format', '{{json .}}', name], { signal }));
    } catch (err) {
      throw this.error(err, name);
    }
    return this.readable(() => parseInspect(stdout, this.cli), ['inspect', name]);
  }

  /** The engine's output read; unreadable output says which command to run by hand to see it. */
  private readable<T>(read: () => T, command: string[]): T {
    try {
      return read();
    } catch (err) {
      if (!SnagError.is(err, 'tool-failed')) throw err;
      const what = err.message.replace(/ Check that this .*$/, '');
      throw new SnagError(
        'tool-failed',
        `${what} Run \`${[this.cli, ...command].join(' ')}\` on ${whereOf(this.parent)} to see what it prints.`,
        ['show-log'],
        {
          cause: err,
        },
      );
    }
  }

  /** A SnagError for a failed call of this engine's CLI (or the error unchanged when unknown). */
  error(err: unknown, container?: string): unknown {
    const where = whereOf(this.parent);
    switch (engineFailure(err)) {
      case 'cli-not-found':
        return new SnagError(
          'tool-not-found',
          `${this.cli} was not found on ${where}. Install ${this.label} or choose another engine in snag.containers.engine.`,
          ['show-log'],
          { cause: err },
        );
      case 'engine-unreachable':
        return new SnagError('unreachable', `${this.label} does not answer on ${where}: ${engineComplaint(err)}`, ['show-log'], { cause: err });
      case 'engine-permission':
        return new SnagError(
          'permission-denied',
          `This user may not use ${this.label} on ${where}: ${engineComplaint(err)} (add the user to the docker group or run as root).`,
          ['show-log'],
          { cause: err },
        );
      case 'container-gone':
        return new SnagError(
          'process-gone',
          `No running container ${container ?? ''} on ${this.label} (it stopped, was removed or never existed).`.replace('  ', ' '),
          ['refresh-processes'],
          { cause: err },
        );
      default:
        return err;
    }
  }
}

interface PsLine {
  id?: string;
  name?: string;
  image?: string;
  state?: string;
  status?: string;
}

export function parseContainerList(stdout: string, tool = 'docker'): ContainerSummary[] {
  const out: ContainerSummary[] = [];
  const shape = new Shape(tool, 'its container list');
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  for (const line of stdout.split('\n')) {
    if (!line.trim().startsWith('{')) continue;
    const c = shape.object(parseToolJson(tool, line), 'a container') as PsLine & { name?: unknown };
    // podman lists a container's names; docker gives one.
    const name = Array.isArray(c.name) ? c.name.map(text).join(',') : text(c.name);
    out.push({ id: text(c.id), name, image: text(c.image), state: normaliseState(text(c.state)), status: text(c.status) });
  }
  return out;
}

/** docker prints `running`; podman 4's template prints the status (`Up 2 minutes ago`). */
export function normaliseState(state: string): string {
  const s = state.trim().toLowerCase();
  if (/\(paused\)/.test(s)) return 'paused';
  if (/^up\b/.test(s)) return 'running';
  return /^(exited|created|restarting|removing|dead|paused|running|stopped|configured)\b/.exec(s)?.[1] ?? s;
}

/**
 * `inspect --format '{{json .}}'` → the container's details, read defensively: an engine (or a
 * wrapper standing in for one) that prints `[]`, `null` or half an object is told as the engine's
 * unreadable output (tool-failed), never as a JavaScript error.
 */
export function parseInspect(stdout: string, tool = 'docker'): ContainerDetails {
  const top = new Shape(tool, 'its inspect output');
  const raw = parseToolJson(tool, stdout.trim());
  if (Array.isArray(raw) && raw.length === 0) throw badOutput(tool, 'its inspect output names no container');
  const j = top.object(Array.isArray(raw) ? raw[0] : raw, 'the container');
  const id = top.string(j.Id, 'Id');
  if (!id) throw badOutput(tool, 'its inspect output has an empty Id');
  const opt = (v: unknown, field: string) => (v === undefined || v === null ? undefined : top.object(v, field));
  const state = opt(j.State, 'State');
  const config = opt(j.Config, 'Config');
  const host = opt(j.HostConfig, 'HostConfig');
  const running = top.flag(state?.Running);
  const pid = running ? (top.optionalNumber(state?.Pid, 'State.Pid') ?? 0) : 0;
  if (!Number.isSafeInteger(pid) || pid < 0) throw badOutput(tool, `its inspect output's State.Pid should be a whole number, is ${pid}`);
  const status = top.optionalString(state?.Status, 'State.Status');
  const image = top.optionalString(j.Image, 'Image');
  const mounts = j.Mounts === undefined || j.Mounts === null ? [] : top.list(j.Mounts, 'Mounts');
  return {
    id,
    name: (top.optionalString(j.Name, 'Name') ?? '').replace(/^\//, ''),
    image: top.optionalString(config?.Image, 'Config.Image') ?? top.optionalString(j.ImageName, 'ImageName') ?? image ?? '',
    imageId: image ?? '',
    state: status ?? (running ? 'running' : 'exited'),
    status: status ?? '',
    pid,
    running,
    pidMode: top.optionalString(host?.PidMode, 'HostConfig.PidMode') ?? '',
    mounts: mounts.map((raw, i) => {
      const m = top.at(`mount ${i + 1}`).object(raw, 'the mount');
      const sh = top.at(`mount ${i + 1}`);
      return {
        type: sh.optionalString(m.Type, 'Type') ?? '',
        source: sh.optionalString(m.Source, 'Source') || undefined,
        destination: sh.optionalString(m.Destination, 'Destination') ?? '',
      };
    }),
  };
}

/**
 * The engines to show for the setting: `auto` keeps every engine whose CLI answers (a group per
 * engine); a named engine is returned even when it fails, so its error can be shown.
 */
export async function detectEngines(
  parent: Target,
  choice: EngineChoice = 'auto',
  signal?: AbortSignal,
): Promise<{ engine: ContainerEngine; info?: EngineInfo; error?: unknown }[]> {
  const kinds: EngineKind[] = choice === 'auto' ? ['docker', 'podman'] : [choice];
  const probed = await Promise.all(
    kinds.map(async (kind) => {
      const engine = new ContainerEngine(kind, parent);
      try {
        return { engine, info: await engine.info(signal) };
      } catch (error) {
        return { engine, error };
      }
    }),
  );
  if (choice !== 'auto') return probed;
  // In auto mode a missing CLI is not worth a group; an engine that is installed but down is.
  return probed.filter((p) => !SnagError.is(p.error, 'tool-not-found'));
}
