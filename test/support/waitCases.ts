// Shared by the tests of issue 12's classes of waits: start a fixture program under a pyenv Python
// (with the pure-Python libraries on PYTHONPATH), dump it until a condition holds, sample it.
import { setTimeout as delay } from 'node:timers/promises';
import { GdbBackend } from '../../src/core/backends/gdb';
import { PySpyBackend } from '../../src/core/backends/pyspy';
import { SourceMapper } from '../../src/core/mapping/sourceMap';
import type { Profile, StackDump } from '../../src/core/model';
import { chooseSampleSource } from '../../src/core/sampling/chooseSource';
import { sampleProcess } from '../../src/core/sampling/sampleProcess';
import { LocalTarget } from '../../src/core/targets/local';
import { PROGRAMS, startProgram, type Started } from './programs';
import { PYLIB } from './pythons';
import { dumpLocal, type LocalDumpOptions } from './snag';

const started: Started[] = [];

/** Stops every program `start` started (call from after()). */
export function stopAll(): void {
  for (const p of started.splice(0)) p.stop();
}

export async function start(name: string, python: string): Promise<Started> {
  const p = await startProgram(name, [], { python, readyTimeoutMs: 30_000, env: { PYTHONPATH: PYLIB } });
  started.push(p);
  // Unbuffered print() writes its arguments one by one: wait for the whole "ready …" line.
  for (let i = 0; i < 100 && !/^ready\b.*\n/m.test(p.output()); i++) await delay(50);
  return p;
}

/** Dumps until `ok` holds (the program reaches its stuck place a moment after "ready"), for up to 30 s; the last dump. */
export async function dumpUntil(pid: number, pyspy: string, ok: (d: StackDump) => boolean, o: LocalDumpOptions = {}): Promise<StackDump> {
  const end = Date.now() + 30_000;
  for (;;) {
    const d = await dumpLocal(pid, pyspy, o);
    if (ok(d) || Date.now() > end) return d;
    await delay(200);
  }
}

/** Samples the process with py-spy record for `seconds`; threads still for 1 s are stuck. */
export function sampleLocal(pid: number, pyspy: string, seconds = 4): Promise<Profile> {
  const target = new LocalTarget();
  const source = chooseSampleSource(target, 'py-spy', new PySpyBackend(async () => pyspy), new GdbBackend(async () => 'gdb'), { pid, rateHz: 20 });
  return sampleProcess({
    target,
    pid,
    source,
    mapper: new SourceMapper({ workspaceRoots: [PROGRAMS] }),
    rateHz: 20,
    durationMs: seconds * 1000,
    stuckAfterSeconds: 1,
  });
}

export const titles = (d: { findings?: { title: string }[] }) => (d.findings ?? []).map((f) => f.title).join(' | ');
