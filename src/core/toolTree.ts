// Everything a tool started on this machine, found and ended with it, also what left its process
// group or session (`setsid`, a daemon's double fork): a py-spy or gdb that Snag gave up on, or that
// exited, must not leave a child behind that could stop the target later or keep it traced.
//
// A process belongs to the tool's tree when, read from /proc/<pid>/stat, it started no earlier than
// the tool and
//   - its parent is the tool (while the tool lives) or a process already in the tree, or
//   - it is in the tool's process group or session (a pid is not reused while it names a group or
//     a session, so these hold after the tool has gone), or
//   - its environment carries the run's mark (TREE_MARK_ENV): a grandchild whose parent exited and
//     which the kernel re-parented to init has no other link left to the tool.
// Found processes are frozen (SIGSTOP) before the next look, so a tool that keeps forking cannot
// outrun the walk; then all are killed, and the walk waits until they are gone, so whoever resumes
// the target afterwards (the guard's SIGCONT) comes after a debugger's exit has detached it.
//
// Only pids handed out since the tool's own are looked at (the kernel hands pids out in turn,
// wrapping at pid_max; /proc/sys/kernel/ns_last_pid says the last one): a walk of a machine with
// thousands of processes reads the few started since, not all of them.
//
// The limit: a descendant that re-parented itself to init AND replaced its environment (`env -i`,
// execve with a fresh one) carries nothing left to find it by; nor is a process of another user
// whose environment this one may not read (a setuid helper). Node cannot make itself a child
// subreaper (prctl(PR_SET_CHILD_SUBREAPER)), which would keep such orphans its own.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { PROC_SLICE, procTurn } from './procFiles';

/** The environment variable every process of a tool's tree inherits (its value is the run's mark). */
export const TREE_MARK_ENV = 'SNAG_TOOL_RUN';

/** A fresh mark for one run. */
export function newTreeMark(): string {
  return randomBytes(12).toString('hex');
}

interface Stat {
  ppid: number;
  pgrp: number;
  session: number;
  state: string;
  /** Start time in clock ticks since boot. */
  start: number;
}

/** Fields of /proc/<pid>/stat after the name (which may hold spaces and parentheses). */
function parseStat(text: string): Stat | undefined {
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const start = Number(f[19]);
  if (!f[0] || !Number.isFinite(start)) return undefined;
  return { state: f[0], ppid: Number(f[1]), pgrp: Number(f[2]), session: Number(f[3]), start };
}

// /proc is read in place, a slice of processes at a time with a turn of the event loop
// between: a read of /proc costs microseconds, while a round trip through libuv's thread pool per file
// made the walk of a quiet machine take tens of milliseconds after every dump.

function readStat(pid: number): Stat | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The start time of a process on this machine (clock ticks since boot); undefined when unknown. */
export function startTicksNow(pid: number): number | undefined {
  return readStat(pid)?.start;
}

function carriesMark(pid: number, entry: string): boolean {
  try {
    const env = readFileSync(`/proc/${pid}/environ`, 'latin1');
    return env.startsWith(entry) || env.includes(`\0${entry}`);
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* gone already, or not ours */
  }
}

export interface ToolTreeRoot {
  /** The tool's pid: it leads its own process group and session (run() starts it detached). */
  pid: number;
  /** The run's mark, in the tool's environment as TREE_MARK_ENV. */
  mark: string;
  /** The tool's start time (clock ticks since boot); older processes are never its descendants. */
  startTicks?: number;
  /** The tool itself has not exited (its pid still names it, so its children are found by parent). */
  alive: boolean;
}

/**
 * Whether a pid can have been handed out since `first` was: from `first` up to the last pid the
 * kernel handed out, across pid_max when the counter wrapped meanwhile. undefined when the counter
 * cannot be read (every pid may be).
 */
function handedOutSince(first: number): ((pid: number) => boolean) | undefined {
  let last: number;
  try {
    last = Number(readFileSync('/proc/sys/kernel/ns_last_pid', 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isSafeInteger(last) || last <= 0) return undefined;
  return last >= first ? (pid) => pid >= first && pid <= last : (pid) => pid >= first || pid <= last;
}

/** One look at /proc: the processes of the tree not yet in `tree` (with their start times). */
async function look(root: ToolTreeRoot, tree: Map<number, number>): Promise<[number, number][]> {
  const entry = `${TREE_MARK_ENV}=${root.mark}\0`;
  // The tool's pid still names the tool (not a process that took the pid after it was reaped).
  const self = root.alive ? readStat(root.pid) : undefined;
  const toolLives = self !== undefined && (root.startTicks === undefined || self.start === root.startTicks);
  const since = handedOutSince(root.pid);
  const pids = readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => !since || since(pid));
  const found: [number, number][] = [];
  for (let i = 0; i < pids.length; i++) {
    if (i > 0 && i % PROC_SLICE === 0) await procTurn();
    const pid = pids[i]!;
    if (tree.has(pid) || pid === process.pid || (pid === root.pid && !toolLives)) continue;
    const st = readStat(pid);
    if (!st || (root.startTicks !== undefined && st.start < root.startTicks)) continue;
    const linked = pid === root.pid || (toolLives && st.ppid === root.pid) || tree.has(st.ppid) || st.pgrp === root.pid || st.session === root.pid;
    if (linked || carriesMark(pid, entry)) found.push([pid, st.start]);
  }
  return found;
}

/**
 * Freezes and kills the tool's whole tree (the tool too, while it lives); resolves once what was
 * killed has gone (at most `settleMs`). Returns the pids it killed. Never throws: where /proc cannot
 * be read, only the tool's group is killed.
 */
export async function endToolTree(root: ToolTreeRoot, settleMs = 2000): Promise<number[]> {
  const tree = new Map<number, number>();
  try {
    // Freeze the group at once: nothing in it forks while the walk looks.
    signal(-root.pid, 'SIGSTOP');
    for (let round = 0; round < 50; round++) {
      const found = await look(root, tree);
      if (found.length === 0) break;
      for (const [pid, start] of found) {
        tree.set(pid, start);
        signal(pid, 'SIGSTOP');
      }
    }
  } catch {
    /* no /proc here: the group kill below is what is left */
  }
  signal(-root.pid, 'SIGKILL');
  for (const pid of tree.keys()) signal(pid, 'SIGKILL');
  const deadline = Date.now() + settleMs;
  for (const [pid, start] of tree) {
    while (Date.now() < deadline) {
      const st = readStat(pid);
      if (!st || st.start !== start || st.state === 'Z' || st.state === 'X') break;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  return [...tree.keys()];
}
