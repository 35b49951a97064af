// Samples from repeated dumps through any backend (gdb, or py-spy through a container's
// strategies): one sampling instant per dump, as often as the rate allows, the backend keeps up,
// and the process gets to run at least half of the time.
import type { Backend } from '../backends/backend';
import type { StackSample } from '../model';
import type { Target } from '../targets/target';
import { explainRefusedAttach } from '../targets/taskStates';
import { pause, type SampleSource } from './sampleSource';

export interface DumpSourceOptions {
  pid: number;
  rateHz: number;
  nonblocking?: boolean;
  native?: boolean;
}

export class DumpSource implements SampleSource {
  readonly method: string;

  constructor(
    private readonly target: Target,
    private readonly backend: Backend,
    private readonly opts: DumpSourceOptions,
  ) {
    this.method = `repeated ${backend.id} dumps`;
  }

  async run(onBatch: Parameters<SampleSource['run']>[0], signal: AbortSignal, clock: () => number, finish?: AbortSignal): Promise<void> {
    const interval = 1000 / this.opts.rateHz;
    const wait = finish ? AbortSignal.any([signal, finish]) : signal;
    while (!signal.aborted && !finish?.aborted) {
      const startMs = clock();
      let dump;
      try {
        dump = await this.backend.dump(this.target, this.opts.pid, {
          signal,
          nonblocking: this.opts.nonblocking,
          native: this.opts.native,
          operation: 'sampling',
        });
      } catch (err) {
        if (signal.aborted) return;
        throw await explainRefusedAttach(err, this.target.runner, this.opts.pid);
      }
      const at = clock();
      const stacks: StackSample[] = dump.threads.map((t) => ({
        id: t.nativeId ?? t.id,
        name: t.name,
        frames: t.frames.map((f) => ({ function: f.function, file: f.file, line: f.line, native: f.native })),
        count: 1,
      }));
      const activeThreads = dump.threads.filter((t) => t.active).map((t) => t.nativeId ?? t.id);
      // The dump says per thread whether it ran: the CPU-only shares count those samples only.
      const running = new Set(activeThreads);
      const activeStacks = stacks.filter((st) => running.has(st.id));
      // The way in and its caveats hold for the whole session.
      const notes = [...(dump.method ? [`read by ${this.backend.id} (${dump.method})`] : []), ...(dump.notes ?? [])];
      const gil = dump.threads.find((t) => t.ownsGil);
      await onBatch({ startMs: at, endMs: at, stacks, activeThreads, activeStacks, notes, ...(gil ? { gilThread: gil.nativeId ?? gil.id } : {}) });
      // A dump pauses the process (gdb for a second or more): leave it running at least as long
      // as the last dump took, so sampling never keeps it stopped most of the time.
      const took = at - startMs;
      await pause(Math.max(interval - (clock() - startMs), took), wait);
    }
  }
}
