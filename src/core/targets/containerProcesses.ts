// The processes of one container, each with its PID inside the container (what `exec` and a
// sidecar see) and, when the engine runs on the parent machine, its host PID (what host-side
// py-spy needs). Ways, best first:
//   1. docker: `docker top` (runs the host's ps, so the image needs no ps) + /proc/<hostPid>/status
//      NSpid on the parent for the container PID; podman: `podman top` gives both PIDs itself;
//   2. `<engine> exec <c> ps …` when the host's /proc is not the engine's (remote engine, VM);
//   3. the container's own Python reading /proc, for images without ps (distroless, scratch).
import type { ProcessInfo } from '../model';
import type { RunOptions } from '../run';
import type { ContainerDetails, ContainerEngine } from './containerEngine';
import { engineFailure } from './containerErrors';
import { decidePython, displayName, isPythonExe, LIBPYTHON_PATH_ERE, mightEmbedPython, parsePs, PS_ARGV } from './psParse';
import type { Runner } from '../runner';

/** procps columns for `docker top` (it needs the header to find the PID column). */
export const TOP_PS_OPTIONS = ['-o', 'pid,ppid,user:64,stat,pcpu,rss,nlwp,etimes,args'];
/** podman top's own descriptors: container and host PID side by side. */
export const PODMAN_TOP_DESCRIPTORS = ['pid', 'hpid', 'ppid', 'user', 'state', 'pcpu', 'etime', 'args'];

export type ProcessListVia = 'top' | 'exec-ps' | 'exec-python';

export interface ContainerProcessList {
  processes: ProcessInfo[];
  /** True when hostPid is set (the engine's PIDs are this parent's PIDs). */
  hostPidsVisible: boolean;
  via: ProcessListVia;
}

export interface HostFacts {
  /** PIDs from the host's namespace inwards; the last is the PID inside the container. */
  nspid?: number[];
  threads?: number;
  rssKb?: number;
  exe?: string;
  libpython?: string;
}

const FACTS_TIMEOUT_MS = 10_000;

/** `/proc/<pid>/status` NSpid lines and exe links of host PIDs, read through the parent runner. */
export async function readHostFacts(parent: Runner, hostPids: readonly number[], opts: RunOptions = {}): Promise<Map<number, HostFacts>> {
  const facts = new Map<number, HostFacts>();
  if (hostPids.length === 0) return facts;
  const get = (pid: number) => {
    let f = facts.get(pid);
    if (!f) facts.set(pid, (f = {}));
    return f;
  };
  const o = { timeoutMs: FACTS_TIMEOUT_MS, ...opts };
  // grep exits 2 when one of the processes is gone meanwhile; find exits 1; both still print the rest.
  const [status, exes] = await Promise.all([
    parent
      .run(['grep', '-H', '-E', '^(NSpid|Threads|VmRSS):', ...hostPids.map((p) => `/proc/${p}/status`)], { ...o, okExitCodes: [0, 1, 2] })
      .catch(() => undefined),
    parent
      .run(['find', ...hostPids.map((p) => `/proc/${p}/exe`), '-maxdepth', '0', '-printf', '%p\\t%l\\n'], { ...o, okExitCodes: [0, 1] })
      .catch(() => undefined),
  ]);
  for (const m of (status?.stdout ?? '').matchAll(/^\/proc\/(\d+)\/status:(NSpid|Threads|VmRSS):\s*([\d\s]+?)(?: kB)?$/gm)) {
    const f = get(Number(m[1]));
    if (m[2] === 'NSpid') f.nspid = m[3]!.trim().split(/\s+/).map(Number);
    else if (m[2] === 'Threads') f.threads = Number(m[3]);
    else f.rssKb = Number(m[3]);
  }
  for (const m of (exes?.stdout ?? '').matchAll(/^\/proc\/(\d+)\/exe\t(.+)$/gm)) get(Number(m[1])).exe = m[2];
  return facts;
}

/** Launchers (uwsgi, gunicorn…) embed Python: look for a mapped libpython, through the parent. */
async function readLibpython(parent: Runner, hostPids: readonly number[], facts: Map<number, HostFacts>, opts: RunOptions): Promise<void> {
  if (hostPids.length === 0) return;
  const r = await parent
    .run(['grep', '-H', '-m1', '-o', '-E', LIBPYTHON_PATH_ERE, ...hostPids.map((p) => `/proc/${p}/maps`)], {
      timeoutMs: FACTS_TIMEOUT_MS,
      ...opts,
      okExitCodes: [0, 1, 2],
    })
    .catch(() => undefined);
  for (const m of (r?.stdout ?? '').matchAll(/^\/proc\/(\d+)\/maps:(\S+)$/gm)) {
    const f = facts.get(Number(m[1]));
    if (f) f.libpython = m[2];
  }
}

/** Python recognised as for local processes: executable, mapped libpython, else the command. */
export function recogniseContainerPython(p: ProcessInfo, facts: HostFacts = {}): void {
  if (facts.exe) p.exe = facts.exe;
  decidePython(p, facts.exe, facts.libpython);
  p.name = displayName(p.command, p.exe);
}

/**
 * Turns rows with host PIDs (docker top) into container PIDs using NSpid. Returns undefined when
 * the host PIDs are not this parent's (remote engine, Docker Desktop VM, no /proc).
 */
export async function fromHostRows(parent: Runner, details: ContainerDetails, rows: ProcessInfo[], opts: RunOptions = {}): Promise<ProcessInfo[] | undefined> {
  const hostPids = [...new Set([details.pid, ...rows.map((r) => r.pid)])].filter((p) => p > 0);
  const facts = await readHostFacts(parent, hostPids, opts);
  const first = facts.get(details.pid)?.nspid;
  const sharesHostPids = details.pidMode === 'host';
  // The container's first process must be PID 1 one namespace down (or the same PID with --pid=host).
  if (!first || (sharesHostPids ? first.length !== 1 : first.length < 2 || first[first.length - 1] !== 1)) return undefined;
  const inner = new Map<number, number>();
  for (const r of rows) {
    const ns = facts.get(r.pid)?.nspid;
    if (ns && ns.length >= first.length) inner.set(r.pid, ns[first.length - 1]!);
  }
  const candidates = rows.filter((r) => mightEmbedPython(r.command) && !isPythonExe(facts.get(r.pid)?.exe ?? ''));
  await readLibpython(
    parent,
    candidates.map((r) => r.pid),
    facts,
    opts,
  );
  const out: ProcessInfo[] = [];
  for (const r of rows) {
    const pid = inner.get(r.pid);
    if (pid === undefined) continue; // exited between top and the /proc read
    const p: ProcessInfo = { ...r, pid, ppid: inner.get(r.ppid) ?? 0, hostPid: r.pid };
    recogniseContainerPython(p, facts.get(r.pid));
    out.push(p);
  }
  return out;
}

/** Parses `podman top <c> pid hpid ppid user state pcpu etime args` (header first, args last). */
export function parsePodmanTop(stdout: string): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const line of stdout.split('\n').slice(1)) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\S+)\s+([\d.]+)\s+(\S+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const command = m[8]!.trim();
    out.push({
      pid: Number(m[1]),
      hostPid: Number(m[2]) || undefined,
      ppid: Number(m[3]),
      user: m[4]!,
      state: m[5]!.slice(0, 1).toUpperCase(),
      cpuPercent: Number(m[6]),
      rssKb: 0,
      threads: 0,
      elapsedSeconds: parseGoDuration(m[7]!),
      command,
      name: displayName(command),
      isPython: false,
    });
  }
  return out;
}

/** `1h2m3.5s` → 3723 (podman prints elapsed times as Go durations). */
export function parseGoDuration(s: string): number {
  let total = 0;
  for (const m of s.matchAll(/([\d.]+)(h|ms|m|s|µs|us|ns)/g)) {
    const n = Number(m[1]);
    total += m[2] === 'h' ? n * 3600 : m[2] === 'm' ? n * 60 : m[2] === 's' ? n : 0;
  }
  return Math.round(total);
}

// Runs inside the container with its own Python when it has no ps: one JSON list of processes.
const PY_LISTER = [
  'import json,os',
  'try:\n import pwd\nexcept ImportError:\n pwd=None',
  "up=float(open('/proc/uptime').read().split()[0]);hz=os.sysconf('SC_CLK_TCK');pg=os.sysconf('SC_PAGE_SIZE');me=os.getpid();out=[]",
  "for d in os.listdir('/proc'):",
  ' if not d.isdigit() or int(d)==me: continue',
  ' try:',
  "  st=open('/proc/%s/stat'%d).read();f=st[st.rindex(')')+2:].split()",
  "  argv=[a.decode('utf-8','replace') for a in open('/proc/%s/cmdline'%d,'rb').read().split(b'\\0') if a]",
  "  uid=os.stat('/proc/%s'%d).st_uid",
  '  try: user=pwd.getpwuid(uid).pw_name\n  except Exception: user=str(uid)',
  "  try: exe=os.readlink('/proc/%s/exe'%d)\n  except OSError: exe=None",
  "  out.append(dict(pid=int(d),ppid=int(f[1]),state=f[0],user=user,threads=int(f[17]),rss=int(f[21])*pg//1024,elapsed=int(up-int(f[19])/hz),argv=argv,comm=st[st.index('(')+1:st.rindex(')')],exe=exe))",
  ' except (OSError,IOError,ValueError,IndexError): pass',
  'print(json.dumps(out))',
].join('\n');

interface PyListed {
  pid: number;
  ppid: number;
  state: string;
  user: string;
  threads: number;
  rss: number;
  elapsed: number;
  argv: string[];
  comm: string;
  exe: string | null;
}

export function parsePythonListing(stdout: string): ProcessInfo[] {
  return (JSON.parse(stdout) as PyListed[]).map((r) => {
    const command = r.argv.length ? r.argv.join(' ') : `[${r.comm}]`;
    const p: ProcessInfo = {
      pid: r.pid,
      ppid: r.ppid,
      user: r.user,
      state: r.state,
      cpuPercent: 0,
      rssKb: r.rss,
      threads: r.threads,
      elapsedSeconds: r.elapsed,
      command,
      name: displayName(command),
      isPython: false,
    };
    recogniseContainerPython(p, { exe: r.exe ?? undefined });
    return p;
  });
}

/** The processes of one running container (see the ways above). */
export async function listContainerProcesses(
  engine: ContainerEngine,
  details: ContainerDetails,
  inContainer: Runner,
  opts: RunOptions = {},
): Promise<ContainerProcessList> {
  const parent = engine.parent.runner;
  let hostRows: ProcessInfo[] | undefined;
  try {
    if (engine.kind === 'podman') {
      const { stdout } = await engine.exec(['top', details.id, ...PODMAN_TOP_DESCRIPTORS], opts);
      const rows = parsePodmanTop(stdout);
      const facts = await readHostFacts(parent, rows.map((r) => r.hostPid ?? 0).filter(Boolean), opts);
      const visible = rows.some((r) => r.hostPid && facts.get(r.hostPid)?.nspid);
      for (const r of rows) {
        const f = visible && r.hostPid ? facts.get(r.hostPid) : undefined;
        recogniseContainerPython(r, f);
        // podman top has no thread or memory columns; the host's /proc does.
        r.threads = f?.threads ?? r.threads;
        r.rssKb = f?.rssKb ?? r.rssKb;
        if (!visible) delete r.hostPid;
      }
      return { processes: rows, hostPidsVisible: visible, via: 'top' };
    }
    const { stdout } = await engine.exec(['top', details.id, ...TOP_PS_OPTIONS], opts);
    hostRows = parsePs(stdout);
    const mapped = await fromHostRows(parent, details, hostRows, opts);
    if (mapped) return { processes: mapped, hostPidsVisible: true, via: 'top' };
  } catch (err) {
    const why = engineFailure(err);
    if (why === 'container-gone' || why === 'engine-unreachable' || why === 'engine-permission' || why === 'cli-not-found')
      throw engine.error(err, details.name);
    // Some engines (rootless, old podman) cannot run top; the container itself still can.
  }
  // The host's /proc is not the engine's: ask inside the container.
  const python = hostRows?.map((r) => r.command.split(/\s+/)[0] ?? '').find((c) => isPythonExe(c));
  return listInsideContainer(engine, details, inContainer, python, opts);
}

/**
 * The processes as the container itself sees them (no host PIDs): its ps, or, in images without
 * one, its Python reading /proc (the interpreter named by `python`, else python3).
 */
export async function listInsideContainer(
  engine: ContainerEngine,
  details: ContainerDetails,
  inContainer: Runner,
  python = 'python3',
  opts: RunOptions = {},
): Promise<ContainerProcessList> {
  try {
    const { stdout } = await inContainer.run(PS_ARGV, { timeoutMs: 15_000, ...opts });
    const procs = parsePs(stdout).filter((p) => !(p.command.startsWith(PS_ARGV.join(' ')) && p.ppid === 0));
    for (const p of procs) recogniseContainerPython(p);
    return { processes: procs, hostPidsVisible: false, via: 'exec-ps' };
  } catch (err) {
    if (engineFailure(err) !== 'exec-not-found') throw engine.error(err, details.name);
  }
  try {
    const { stdout } = await inContainer.run([python, '-c', PY_LISTER], { timeoutMs: 15_000, ...opts });
    return { processes: parsePythonListing(stdout), hostPidsVisible: false, via: 'exec-python' };
  } catch (err) {
    throw engine.error(err, details.name);
  }
}
