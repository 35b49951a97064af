// Helpers for the gdb tests: a dump through Snag's core with the real gdb, the states a target's
// tasks pass through while it is dumped, and proof that a target keeps running afterwards.
import { readdirSync, readFileSync } from 'node:fs';
import { GdbBackend, type GdbPythonReader } from '../../src/core/backends/gdb';
import { dumpProcess } from '../../src/core/pipeline/dumpProcess';
import type { DumpOptions, StackDump, ThreadStack } from '../../src/core/model';
import { SourceMapper } from '../../src/core/mapping/sourceMap';
import { LocalTarget } from '../../src/core/targets/local';
import type { Target } from '../../src/core/targets/target';
import { PROGRAMS, type Started } from './programs';

export interface GdbDumpOptions extends DumpOptions {
  reader?: GdbPythonReader;
  target?: Target;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** One dump through dumpProcess with the real gdb, mapped to the fixture programs. */
export function dumpWithGdb(pid: number, gdb: string, o: GdbDumpOptions = {}): Promise<StackDump> {
  return dumpProcess({
    target: o.target ?? new LocalTarget(),
    pid,
    backend: new GdbBackend(async () => gdb, { reader: o.reader }),
    mapper: new SourceMapper({ workspaceRoots: [PROGRAMS] }),
    native: o.native,
    locals: o.locals,
    nonblocking: o.nonblocking,
    timeoutMs: o.timeoutMs ?? 120_000,
    signal: o.signal,
  });
}

/** Kernel state letters of every task of a process (empty when it is gone). */
export function taskStates(pid: number): string[] {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return tids.flatMap((tid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      return [stat.charAt(stat.lastIndexOf(') ') + 2)];
    } catch {
      return [];
    }
  });
}

export function tracerPid(pid: number): number {
  try {
    return Number(/^TracerPid:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * Waits for something to ptrace-attach to pid and SIGKILLs it while it is still attached: it is
 * stopped first and its TracerPid looked at again, since a quick gdb can detach and exit between a
 * look and a kill. Returns false (and lets the tracer go on) when it had already let go by then.
 */
export async function killTracerWhileAttached(pid: number, timeoutMs = 60_000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  let tracer: number;
  while (!(tracer = tracerPid(pid))) {
    if (Date.now() > until) throw new Error(`nothing attached to ${pid}`);
    await new Promise((r) => setImmediate(r));
  }
  try {
    process.kill(tracer, 'SIGSTOP');
  } catch {
    return false; // already gone
  }
  const stopBy = Date.now() + 5_000;
  while (!['T', 't', 'Z', ''].includes(taskStates(tracer)[0] ?? '') && Date.now() < stopBy) await new Promise((r) => setTimeout(r, 1));
  if (tracerPid(pid) !== tracer) {
    process.kill(tracer, 'SIGCONT');
    return false;
  }
  process.kill(tracer, 'SIGKILL');
  return true;
}

/** Records every task state seen until stop() (polls between event-loop turns). */
export function watchStates(pid: number): { stop(): Set<string> } {
  const seen = new Set<string>();
  let on = true;
  const loop = () => {
    if (!on) return;
    for (const s of taskStates(pid)) seen.add(s);
    setTimeout(loop, 2);
  };
  loop();
  return {
    stop() {
      on = false;
      for (const s of taskStates(pid)) seen.add(s);
      return seen;
    },
  };
}

/** The last heartbeat count a fixture printed (`tick N` lines of gc_finalizer_c.py --heartbeat). */
export function lastTick(prog: Started): number {
  const all = [...prog.output().matchAll(/^tick (\d+)$/gm)];
  return all.length ? Number(all[all.length - 1]![1]) : 0;
}

/** Resolves once the heartbeat moved `by` ticks past `from`; rejects after a generous wait. */
export async function ticksAdvance(prog: Started, from: number, by = 3, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (lastTick(prog) < from + by) {
    if (Date.now() > until) throw new Error(`heartbeat stuck at ${lastTick(prog)} (was ${from}); task states ${taskStates(prog.pid).join('')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `name@file:line` for Python frames, the function for native ones: to assert order. */
export function sketch(t: ThreadStack): string[] {
  return t.frames.map((f) => (f.native ? f.function : `${f.function}@${f.file.slice(f.file.lastIndexOf('/') + 1)}:${f.line}`));
}

export function thread(d: StackDump, name: string): ThreadStack {
  const t = d.threads.find((x) => x.name === name);
  if (!t) throw new Error(`no thread ${name} in ${d.threads.map((x) => x.name).join(', ')}`);
  return t;
}
