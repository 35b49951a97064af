// What the soak and kill-mid-dump benches check after every dump, read straight from /proc (not
// through Snag's own /proc readers, which are what is being checked): the target's task states and
// tracer, the py-spy/gdb processes still working on it, the bench's own descriptors and children,
// and the fixture's heartbeat.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { startProgram, type Started } from '../test/support/programs';

/** The ticking fixture (bench/fixtures/ticking_service.py) started, with its heartbeat file. */
export async function startTickingService(heartbeatFile: string): Promise<Started> {
  // startProgram resolves names under test/fixtures/programs; this fixture belongs to the benches.
  return startProgram(join('..', '..', '..', 'bench', 'fixtures', 'ticking_service.py'), [heartbeatFile]);
}

/** The fixture's tick count (0 before its first tick). */
export function heartbeat(file: string): number {
  try {
    return Number(readFileSync(file, 'utf8')) || 0;
  } catch {
    return 0;
  }
}

function readOr(path: string, fallback = ''): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

function stateOfStat(stat: string): string {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? '';
}

export interface TargetLook {
  /** Some task in state T (stopped by a signal: SIGSTOP left by a tool that died mid-attach). */
  stopped: boolean;
  /** Some task in state t (stopped by its tracer). */
  traceStopped: boolean;
  /** Some task still has a tracer. */
  traced: boolean;
  gone: boolean;
}

export function lookAtTarget(pid: number): TargetLook {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return { stopped: false, traceStopped: false, traced: false, gone: true };
  }
  const look: TargetLook = { stopped: false, traceStopped: false, traced: false, gone: false };
  for (const tid of tids) {
    const state = stateOfStat(readOr(`/proc/${pid}/task/${tid}/stat`));
    if (state === 'T') look.stopped = true;
    if (state === 't') look.traceStopped = true;
    const tracer = /^TracerPid:\s*(\d+)/m.exec(readOr(`/proc/${pid}/task/${tid}/status`))?.[1];
    if (tracer && tracer !== '0') look.traced = true;
  }
  return look;
}

/** The pid gdb was told to attach to: Snag packs its script's arguments as base64 JSON in the argv. */
function gdbTargetPid(argv: readonly string[]): number | undefined {
  for (const a of argv) {
    const m = /json\.loads\(base64\.b64decode\('([A-Za-z0-9+/=]+)'\)/.exec(a);
    if (!m) continue;
    try {
      return (JSON.parse(Buffer.from(m[1]!, 'base64').toString('utf8')) as { pid?: number }).pid;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * py-spy and gdb processes working on `pid`, wherever they were started from (other sessions'
 * tools on other pids are not counted). A gdb's forked probe has its parent's argv, so it counts.
 */
export function toolsOn(pid: number): number[] {
  const found: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const comm = readOr(`/proc/${e}/comm`).trim();
    if (comm !== 'py-spy' && comm !== 'gdb') continue;
    const argv = readOr(`/proc/${e}/cmdline`).split('\0');
    const tool = basename(argv[0] ?? '');
    const target = tool === 'py-spy' ? Number(argv[argv.indexOf('--pid') + 1]) : gdbTargetPid(argv);
    // A zombie has no argv any more: not running, only not yet reaped.
    if (target === pid && stateOfStat(readOr(`/proc/${e}/stat`)) !== 'Z') found.push(Number(e));
  }
  return found;
}

/** Live (not zombie) children of this process, except those in `except`. */
export function childrenOfSelf(except: readonly number[] = []): number[] {
  const self = String(process.pid);
  const found: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || except.includes(Number(e))) continue;
    const stat = readOr(`/proc/${e}/stat`);
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[1] === self && fields[0] !== 'Z') found.push(Number(e));
  }
  return found;
}

export const openFds = (): number => readdirSync('/proc/self/fd').length;

/** Kills processes this bench caused (tools it found still running), by pid. */
export function killPids(pids: readonly number[]): void {
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

export function resume(pid: number): void {
  try {
    process.kill(pid, 'SIGCONT');
  } catch {
    /* gone */
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
