// A library's own helper thread at rest: a multiprocessing.Pool's handler threads, a process pool's
// manager thread, an executor worker waiting for work. They wait between jobs by design: idle, not
// stuck (sampling parks them; a dump gives them no finding).
import type { ThreadStack } from '../model';
import { anchorFrame, isFrame } from './frames';
import type { ThreadRule, ThreadWait } from './rule';

export const HELPER_KIND = 'helper-idle';

const HELPERS: ReadonlyArray<{ file: string; names: string[]; what: string }> = [
  { file: 'multiprocessing/pool.py', names: ['Pool._handle_workers', 'Pool._handle_tasks', 'Pool._handle_results'], what: "a multiprocessing pool's handler" },
  { file: 'concurrent/futures/process.py', names: ['_ExecutorManagerThread.run', '_queue_management_worker'], what: "a process pool's manager" },
  { file: 'concurrent/futures/thread.py', names: ['_worker'], what: 'an executor worker waiting for work' },
  { file: 'multiprocessing/resource_sharer.py', names: ['_ResourceSharer._serve'], what: "multiprocessing's resource sharer" },
];

/** The helper a thread is, when it runs no code of the user's (no task) and nothing else of note. */
export function helperOf(t: ThreadStack): string | undefined {
  if (t.name === 'MainThread' || t.active || t.frames.some((f) => f.isUserCode)) return undefined;
  // An executor worker running a task (even one of a library's functions) is at work, not at rest.
  if (t.frames.some((f) => isFrame(f, 'concurrent/futures/thread.py', '_WorkItem.run'))) return undefined;
  return HELPERS.find((h) => t.frames.some((f) => isFrame(f, h.file, ...h.names)))?.what;
}

export const helperAtRest: ThreadRule = async (t: ThreadStack): Promise<ThreadWait | undefined> => {
  const what = helperOf(t);
  if (!what) return undefined;
  return {
    kind: HELPER_KIND,
    severity: 'info',
    phrase: `is ${what}, at rest`,
    call: 'a library helper at rest',
    detail: 'A library thread waiting for its next job: idle by design, not stuck.',
    frame: anchorFrame(t),
    quiet: true,
  };
};
