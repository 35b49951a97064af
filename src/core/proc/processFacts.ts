// Facts about one process that the finding rules and source mapping ask for, only when they need
// them: its working directory (relative frame paths are relative to it), its child processes (a
// wait for a child is followed into it) and its TCP sockets (a socket wait names its peer). Read
// from this machine's /proc directly, or elsewhere with one run of a constant shell script whose
// only inputs are arguments (the pid and the kinds wanted), never code built from data.
import { procLink, procList, procMap, procText } from '../procFiles';
import { run } from '../run';
import { parseSocketFds, parseSsTable, parseTcpTable, SS_TABLE_ARGV, type OpenSocket } from './sockets';

export type FactKind = 'cwd' | 'children' | 'sockets' | 'pipes';

export interface ChildProcessFact {
  pid: number;
  /** The command line, arguments joined by spaces ('' when it could not be read). */
  command: string;
}

export interface ProcessFacts {
  /** The process's working directory, as the process sees it. */
  cwd?: string;
  children?: ChildProcessFact[];
  sockets?: OpenSocket[];
  /** False when the process is in another network namespace than the reader (`ss` there would list other sockets). */
  sameNetns?: boolean;
  /** The sockets carry tcp_info's silence times already, where the kernel had them (no `ss` needed after). */
  socketTimes?: boolean;
  /** Its descriptors that are pipes (`/proc/PID/fd/N -> pipe:[INODE]`): fd → the pipe's inode. */
  pipes?: Map<number, number>;
}

const SS_TIMEOUT_MS = 10_000;
/** About 400 bytes a socket: a machine with 20,000 connections; past it, /proc's tables are read. */
const SS_MAX_BYTES = 8 * 1024 * 1024;

/** Children are listed up to this many (a fork bomb is not a process tree to follow). */
export const MAX_CHILDREN = 64;

/**
 * Arguments: PID KIND…. Prints `cwd PATH`, `child PID CMDLINE`, `netns A B`, `fd FD INODE` and the
 * process's `tcp`/`tcp6` rows for those inodes (prefixed by the table's name).
 */
export const PROCESS_FACTS_SCRIPT = `p=$1; shift
for k do
  case $k in
  cwd) printf 'cwd '; readlink "/proc/$p/cwd" 2>/dev/null || echo ;;
  children)
    for c in $(cat /proc/$p/task/*/children 2>/dev/null | head -c 4096); do
      printf 'child %s ' "$c"; tr '\\000\\n' '  ' < "/proc/$c/cmdline" 2>/dev/null | head -c 4096; echo
    done ;;
  sockets)
    printf 'netns %s %s\\n' "$(readlink "/proc/$p/ns/net" 2>/dev/null)" "$(readlink /proc/self/ns/net 2>/dev/null)"
    fds=$(ls -l "/proc/$p/fd/" 2>/dev/null | sed -n 's/.* \\([0-9][0-9]*\\) -> socket:\\[\\([0-9][0-9]*\\)\\]$/fd \\1 \\2/p')
    [ -n "$fds" ] || continue
    printf '%s\\n' "$fds"
    for t in tcp tcp6; do
      if command -v awk >/dev/null 2>&1; then
        printf '%s\\n' "$fds" | awk -v t="$t" 'NR==FNR { w[$3] = 1; next } ($10 in w) { print t " " $0 }' - "/proc/$p/net/$t" 2>/dev/null
      else
        sed "s/^/$t /" "/proc/$p/net/$t" 2>/dev/null
      fi
    done ;;
  pipes) ls -l "/proc/$p/fd/" 2>/dev/null | sed -n 's/.* \\([0-9][0-9]*\\) -> pipe:\\[\\([0-9][0-9]*\\)\\]$/pipe \\1 \\2/p' ;;
  esac
done`;

/** The script's output → facts (only the kinds asked for are set). */
export function parseProcessFacts(stdout: string, kinds: readonly FactKind[]): ProcessFacts {
  const facts: ProcessFacts = {};
  const lines = stdout.split('\n');
  if (kinds.includes('cwd')) {
    const cwd = lines.find((l) => l.startsWith('cwd '))?.slice(4);
    if (cwd && cwd.startsWith('/')) facts.cwd = cwd;
  }
  if (kinds.includes('children')) {
    facts.children = [];
    for (const l of lines) {
      const m = /^child (\d+) ?(.*)$/.exec(l);
      if (m && facts.children.length < MAX_CHILDREN) facts.children.push({ pid: Number(m[1]), command: m[2]!.trim() });
    }
  }
  if (kinds.includes('sockets')) {
    const ns = /^netns (\S*) (\S*)$/m.exec(stdout);
    if (ns && ns[1] && ns[2]) facts.sameNetns = ns[1] === ns[2];
    const fds = parseSocketFds(lines.filter((l) => l.startsWith('fd ')).join('\n'));
    facts.sockets = parseTcpTable(lines.filter((l) => /^tcp6? /.test(l)).join('\n'), fds);
  }
  if (kinds.includes('pipes')) facts.pipes = parsePipeFds(lines);
  return facts;
}

/** `pipe FD INODE` lines → fd → inode. */
function parsePipeFds(lines: readonly string[]): Map<number, number> {
  const pipes = new Map<number, number>();
  for (const l of lines) {
    const m = /^pipe (\d+) (\d+)$/.exec(l.trimEnd());
    if (m) pipes.set(Number(m[1]), Number(m[2]));
  }
  return pipes;
}

/**
 * The same facts from this machine's /proc (under `procRoot`). The one program it may start is `ss`,
 * for sockets in this machine's own network namespace (see localSockets). Never throws.
 */
export async function readLocalFacts(pid: number, kinds: readonly FactKind[], procRoot = '/proc', signal?: AbortSignal): Promise<ProcessFacts> {
  const dir = `${procRoot}/${pid}`;
  const facts: ProcessFacts = {};
  if (kinds.includes('cwd')) {
    const cwd = procLink(`${dir}/cwd`);
    if (cwd?.startsWith('/')) facts.cwd = cwd;
  }
  if (kinds.includes('children')) facts.children = localChildren(dir, procRoot);
  if (kinds.includes('sockets')) {
    const s = await localSockets(dir, signal);
    facts.sockets = s.sockets;
    if (s.sameNetns !== undefined) facts.sameNetns = s.sameNetns;
    if (s.timed) facts.socketTimes = true;
  }
  if (kinds.includes('pipes')) facts.pipes = parsePipeFds(await fdLinks(dir, /^pipe:\[(\d+)\]$/, 'pipe'));
  return facts;
}

/** `KIND FD INODE` for each descriptor whose link matches `pattern` (its inode the first group). */
async function fdLinks(dir: string, pattern: RegExp, kind: string): Promise<string[]> {
  const lines = await procMap(procList(`${dir}/fd`), (n) => {
    const m = pattern.exec(procLink(`${dir}/fd/${n}`) ?? '');
    return m ? `${kind} ${n} ${m[1]}` : '';
  });
  return lines.filter(Boolean);
}

function localChildren(dir: string, procRoot: string): ChildProcessFact[] {
  const pids = new Set<number>();
  for (const tid of procList(`${dir}/task`)) {
    const text = procText(`${dir}/task/${tid}/children`) ?? '';
    for (const p of text.split(/\s+/).filter(Boolean)) if (pids.size < MAX_CHILDREN) pids.add(Number(p));
  }
  return [...pids].map((pid) => ({
    pid,
    command: (procText(`${procRoot}/${pid}/cmdline`) ?? '')
      .split('\0')
      .filter((a, i, all) => a !== '' || i < all.length - 1)
      .join(' '),
  }));
}

/**
 * In this machine's own network namespace one `ss` gives the sockets with how long each has been
 * silent (one walk of the kernel's TCP table instead of /proc's and then ss's); elsewhere, or
 * without ss, the process's /proc tables (no times).
 */
async function localSockets(dir: string, signal?: AbortSignal): Promise<{ sockets: OpenSocket[]; sameNetns?: boolean; timed?: boolean }> {
  const fds = parseSocketFds((await fdLinks(dir, /^socket:\[(\d+)\]$/, 'fd')).join('\n'));
  const theirs = procLink(`${dir}/ns/net`);
  const ours = procLink('/proc/self/ns/net');
  const sameNetns = theirs && ours ? theirs === ours : undefined;
  if (fds.size === 0) return { sockets: [], sameNetns };
  if (sameNetns) {
    const table = await run(SS_TABLE_ARGV, { timeoutMs: SS_TIMEOUT_MS, maxBytes: SS_MAX_BYTES, signal }).catch(() => undefined);
    if (table) return { sockets: parseSsTable(table.stdout, fds), sameNetns, timed: true };
  }
  const tables = ['tcp', 'tcp6'].map((t) => procText(`${dir}/net/${t}`) ?? '');
  return { sockets: parseTcpTable(tables.join('\n'), fds), sameNetns };
}
