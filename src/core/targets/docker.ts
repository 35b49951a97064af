// A container as a target (docker or podman, on this machine or on the parent's): its processes,
// a runner that reaches inside with `<engine> exec`, a py-spy backend that picks a way in (host,
// exec, copy-in, sidecar; see containerWays.ts) and path rules from its mounts.
import type { ToolPlace } from '../guard/toolPlace';
import { SnagError } from '../errors';
import type { ProcessInfo, TargetRef } from '../model';
import { ContainerWays, type ContainerDumpOptions } from './containerWays';
import type { ContainerDetails, ContainerEngine, ContainerMount, ContainerSummary } from './containerEngine';
import { listContainerProcesses, type ContainerProcessList } from './containerProcesses';
import { containerRunner } from './containerRunner';
import type { Runner } from '../runner';
import { pythonVersionOf } from './psParse';
import type { ListOptions, ProcessQuery, Target, TargetSourceMapping, WayPlan, WayRequest } from './target';
import { isThisMachine, whereOf } from './targetPlace';
import type { FactKind, ProcessFacts } from '../proc/processFacts';
import { processFacts, readFactsVia } from './processFacts';
import { coreSiteFor, type CoreSite } from './coreSite';

/** Container path → path on the engine's host, from bind mounts and volumes (longest first is the mapper's job). */
export function mountRules(mounts: readonly ContainerMount[]): { remoteRoot: string; localRoot: string }[] {
  return mounts
    .filter((m) => (m.type === 'bind' || m.type === 'volume') && m.source && m.destination)
    .map((m) => ({ remoteRoot: m.destination, localRoot: m.source! }));
}

export interface ContainerTargetOptions extends ContainerDumpOptions {
  /** User for `exec` (default: the container's own user). */
  execUser?: string;
}

export class ContainerTarget implements Target {
  readonly ref: TargetRef;
  readonly runner: Runner;
  private details?: ContainerDetails;
  private lastList?: ContainerProcessList;
  /** The container's first host PID when lastList was made: another one means it restarted. */
  private listedForPid?: number;

  constructor(
    readonly engine: ContainerEngine,
    readonly container: ContainerSummary,
    readonly options: ContainerTargetOptions = {},
  ) {
    if ('pid' in container) this.details = container as ContainerDetails;
    const parent = engine.parent.ref;
    this.ref = {
      kind: 'docker',
      id: `${engine.kind}:${isThisMachine(engine.parent) ? '' : `${parent.id}:`}${container.id.slice(0, 12)}`,
      label: container.image ? `${container.name} (${container.image})` : container.name,
      parent,
    };
    this.runner = containerRunner(engine, container.id, options.execUser);
  }

  /** The ssh host of the engine's machine, when it is one. */
  get sshHost(): string | undefined {
    return this.engine.parent.sshHost;
  }

  /** The container by name or id, inspected once. */
  static async open(engine: ContainerEngine, nameOrId: string, options: ContainerTargetOptions = {}, signal?: AbortSignal): Promise<ContainerTarget> {
    return new ContainerTarget(engine, await engine.inspect(nameOrId, signal), options);
  }

  /** `docker inspect`, cached; `refresh` re-reads it (the container may have restarted). */
  async inspect(signal?: AbortSignal, refresh = false): Promise<ContainerDetails> {
    if (!this.details || refresh) this.details = await this.engine.inspect(this.container.id, signal);
    return this.details;
  }

  async listProcesses(opts: ListOptions = {}): Promise<ProcessInfo[]> {
    const details = await this.inspect(opts.signal, true);
    if (!details.running) throw new SnagError('process-gone', `Container ${details.name} is not running (${details.state}).`, ['refresh-processes']);
    this.lastList = await listContainerProcesses(this.engine, details, this.runner, { signal: opts.signal });
    this.listedForPid = details.pid;
    return opts.all ? this.lastList.processes : this.lastList.processes.filter((p) => p.isPython);
  }

  /** What the last listing knew about a container PID (lists again when unknown or the container restarted). */
  async processInfo(pid: number, signal?: AbortSignal): Promise<ProcessInfo | undefined> {
    const current = this.lastList && this.listedForPid === this.details?.pid;
    let p = current ? this.lastList?.processes.find((x) => x.pid === pid) : undefined;
    if (!p) {
      await this.listProcesses({ all: true, signal });
      p = this.lastList?.processes.find((x) => x.pid === pid);
    }
    return p;
  }

  /** From the process's executable in the container (the last listing's, which reading it made). */
  async pythonVersion(pid: number, ask: ProcessQuery = {}): Promise<string | undefined> {
    const p = ask.process ?? (await this.processInfo(pid, ask.signal).catch(() => undefined));
    return p && pythonVersionOf(p);
  }

  /** Host PID, exec, copy-in, sidecar: what a reader tries, in order (see containerWays.ts). */
  waysIn(pid: number, req: WayRequest): Promise<WayPlan> {
    return new ContainerWays(this, this.options).plan(pid, req);
  }

  /** For tools with one way only (gdb): inside the container, watched from the host where it can be. */
  place(pid: number, signal?: AbortSignal): Promise<ToolPlace> {
    return new ContainerWays(this, this.options).place(pid, signal);
  }

  /**
   * Inside the container through its runner; an image without a shell: from the host where its PIDs
   * are visible (the working directory and sockets read the same there; children would be host PIDs).
   */
  async processFacts(pid: number, kinds: readonly FactKind[], signal?: AbortSignal): Promise<ProcessFacts | undefined> {
    const inside = await readFactsVia(this.runner, pid, kinds, signal);
    if (inside) return inside;
    const hostPid = (await this.processInfo(pid, signal).catch(() => undefined))?.hostPid;
    const hostKinds = kinds.filter((k) => k !== 'children');
    return hostPid && hostKinds.length ? processFacts(this.engine.parent, hostPid, hostKinds, signal) : undefined;
  }

  /**
   * gcore on the engine's host by the host PID where it is visible (the image needs no gdb, the
   * container no SYS_PTRACE: the host's own ptrace rules apply); else inside the container (its gcore).
   */
  async coreSite(pid: number, signal?: AbortSignal): Promise<CoreSite | undefined> {
    const hostPid = (await this.processInfo(pid, signal))?.hostPid;
    if (!hostPid) return undefined;
    const site = await coreSiteFor(this.engine.parent, hostPid, signal);
    const details = await this.inspect(signal);
    return { ...site, where: `the host of container ${details.name}`, how: `gcore on ${whereOf(this.engine.parent)}, host PID ${hostPid}` };
  }

  async sourceMapping(signal?: AbortSignal): Promise<TargetSourceMapping> {
    // Mount sources are paths on the engine's host: usable here only when that host is this machine.
    if (!isThisMachine(this.engine.parent)) return { pathsAreLocal: false };
    return { mounts: mountRules((await this.inspect(signal)).mounts), pathsAreLocal: false };
  }
}
