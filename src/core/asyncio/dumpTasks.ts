// A dump of an asyncio program carries its tasks: when a thread runs an event loop, the task reader
// reads the process's memory right after the stacks (it never pauses the process), the tasks' frames
// are mapped like the threads', and the findings are told with them. A failure to read the tasks
// never fails the dump: it becomes a note.
import { errorMessage } from '../errors';
import type { AsyncioTasks, Finding, Severity, StackDump } from '../model';
import type { SourceMapper } from '../mapping/sourceMap';
import type { Target } from '../targets/target';
import { readAsyncioTasks, type TaskReadRequest } from './readTasks';
import { withTasks } from './taskFindings';
import { taskLockFindings } from './taskLocks';
import { SourceLines, type RemoteReader } from '../findings/sourceLines';

const LOOP_FILES = /[/\\]asyncio[/\\](base_events|runners|events)\.py$/;

/** Whether a thread of the dump runs (or is blocked inside) an asyncio event loop. */
export function runsEventLoop(dump: StackDump): boolean {
  return dump.threads.some((t) => t.frames.some((f) => !f.native && LOOP_FILES.test(f.file)));
}

/** Maps each distinct frame once (tasks waiting at one place share their Frame objects). */
export async function mapTasks(tasks: AsyncioTasks, mapper: SourceMapper): Promise<AsyncioTasks> {
  const seen = new Set<object>();
  for (const t of tasks.tasks)
    for (const f of [...t.frames, ...(t.createdAt ?? []), ...(t.awaits?.createdAt ?? [])]) {
      if (seen.has(f)) continue;
      seen.add(f);
      await mapper.mapFrame(f);
    }
  return tasks;
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Most severe first, keeping each severity's order. */
export function bySeverity(findings: readonly Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => RANK[a.f.severity] - RANK[b.f.severity] || a.i - b.i)
    .map(({ f }) => f);
}

export interface DumpTasksJob extends TaskReadRequest {
  target: Target;
  /** The mapper the dump's frames were mapped with (the target's rules included). */
  mapper: SourceMapper;
  /** The last reading of the same process, for what changed since. */
  previous?: AsyncioTasks;
  /** Reads the user's files where the process lives, for task frames with no local copy. */
  readRemote?: RemoteReader;
}

/** Reads the tasks of a dumped asyncio program into dump.asyncio and tells its findings with them. */
export async function addTasks(dump: StackDump, job: DumpTasksJob): Promise<void> {
  if (!dump.pid || !runsEventLoop(dump)) return;
  try {
    const tasks = await mapTasks(await readAsyncioTasks(job.target, dump.pid, { pythonVersion: dump.pythonVersion, ...job }), job.mapper);
    dump.asyncio = tasks;
    const previous = job.previous && job.previous.pid === dump.pid ? job.previous : undefined;
    // Tasks deadlocked on asyncio locks: read from their source, like a thread's held locks.
    const locks = await taskLockFindings(tasks, new SourceLines(job.readRemote)).catch(() => []);
    dump.findings = bySeverity([...locks, ...withTasks(dump.findings, tasks, previous)]);
  } catch (err) {
    if (job.signal?.aborted) throw err;
    (dump.notes ??= []).push(`The asyncio tasks could not be read: ${errorMessage(err)}`);
  }
}
