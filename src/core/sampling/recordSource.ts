// Samples from `py-spy record --format raw`, run where the process lives (the target's runner), in
// one-second chunks: py-spy writes its aggregate only when a recording ends, so a live view needs
// short recordings back to back. py-spy writes to a file (it cannot open /dev/stdout when that is
// a socket, as Node's pipes are), read back with `cat` through the same runner and removed at the end. Raw output cannot tell idle threads from running ones; a
// non-blocking `py-spy dump` after each chunk (it never pauses the target) says which threads run.
import { checkPid } from '../validate/pid';
import { randomBytes } from 'node:crypto';
import { SnagError } from '../errors';
import { pyspyDumpTool } from '../backends/pyspy';
import { pyspyError } from '../backends/pyspyErrors';
import { parsePySpyDump } from '../backends/pyspyParse';
import type { Target } from '../targets/target';
import { explainRefusedAttach } from '../targets/taskStates';
import { withRemark } from '../errors';
import { guardRemark, pipeWriterNote } from '../guard/guardNotes';
import { resultOf, runGuarded } from '../guard/runGuarded';
import { placeFor, whereOf } from '../targets/targetPlace';
import { parseRawRecord } from './rawParse';
import type { SampleSource } from './sampleSource';

const RECORD_PREFIX = '/tmp/snag-record-';
const NONBLOCKING_NOTE =
  'Sampled without pausing the process (py-spy record --nonblocking): pausing it many times a second could cut short a write to a pipe that starts meanwhile. A stack may now and then mix two moments.';

export interface RecordOptions {
  pid: number;
  rateHz: number;
  /** Sample without pausing the target (py-spy --nonblocking). */
  nonblocking?: boolean;
  native?: boolean;
  /** Seconds per recording (py-spy takes whole seconds). */
  chunkSeconds?: number;
}

/** The argv of one recording chunk (a tool call is data; the runner decides where it runs). */
export function pyspyRecordArgv(pyspy: string, o: RecordOptions, output: string): string[] {
  const argv = [pyspy, 'record', '--pid', String(checkPid(o.pid)), '--format', 'raw', '--idle', '--threads', '--full-filenames'];
  argv.push('--rate', String(o.rateHz), '--duration', String(o.chunkSeconds ?? 1), '--output', output);
  if (o.nonblocking) argv.push('--nonblocking');
  if (o.native) argv.push('--native');
  return argv;
}

export class RecordSource implements SampleSource {
  readonly method = 'py-spy record';

  constructor(
    private readonly target: Target,
    private readonly pyspy: (signal: AbortSignal) => Promise<string>,
    private readonly opts: RecordOptions,
  ) {}

  async run(onBatch: Parameters<SampleSource['run']>[0], signal: AbortSignal, clock: () => number, finish?: AbortSignal): Promise<void> {
    const pyspy = await this.pyspy(signal);
    const where = whereOf(this.target);
    const chunk = this.opts.chunkSeconds ?? 1;
    const output = `${RECORD_PREFIX}${this.opts.pid}-${randomBytes(6).toString('hex')}.txt`;
    await this.removeStale();
    try {
      await this.chunks(pyspy, output, where, chunk, onBatch, signal, clock, finish);
    } finally {
      // Not cancellable: the file goes even when the session was stopped.
      await this.target.runner.run(['rm', '-f', output], { timeoutMs: 10_000 }).catch(() => undefined);
    }
  }

  private async chunks(
    pyspy: string,
    output: string,
    where: string,
    chunk: number,
    onBatch: Parameters<SampleSource['run']>[0],
    signal: AbortSignal,
    clock: () => number,
    finish?: AbortSignal,
  ): Promise<void> {
    const runOpts = { signal, maxBytes: 32 * 1024 * 1024, env: { RUST_BACKTRACE: '0' } };
    while (!signal.aborted && !finish?.aborted) {
      const startMs = clock();
      // Under the one guard: a thread blocked writing to a pipe is not paused (this recording then
      // samples without pausing), a stopped target is resumed, a hung py-spy is ended on the far side.
      const place = await placeFor(this.target, this.opts.pid, signal);
      let stdout: string;
      let writers: number[];
      const notes: string[] = [];
      try {
        const run = await runGuarded(place, {
          name: 'py-spy',
          argv: (nonblocking) => pyspyRecordArgv(pyspy, { ...this.opts, pid: place.pid, nonblocking }, output),
          onPipeWriter: 'nonblocking',
          // Always: a recording pauses the process up to rate-times a second, and a pipe write that
          // starts between the guard's look and a pause would be cut short. Never paused, never cut.
          nonblocking: true,
          options: { ...runOpts, timeoutMs: chunk * 1000 + 20_000 },
        });
        const remark = guardRemark(run.outcome, this.opts.pid, 'py-spy');
        if (run.failure !== undefined || !run.result) throw withRemark(pyspyError(run.failure, this.opts.pid, where), remark);
        if (remark) notes.push(remark);
        notes.push(...run.notes);
        writers = run.pipeWriters;
        ({ stdout } = await this.target.runner.run(['cat', output], { ...runOpts, timeoutMs: 10_000 }));
      } catch (err) {
        if (signal.aborted) return;
        throw await explainRefusedAttach(pyspyError(err, this.opts.pid, where), this.target.runner, this.opts.pid);
      }
      const stacks = parseRawRecord(stdout);
      const endMs = clock();
      const activeThreads = stacks.length ? await this.activeThreads(pyspy, signal) : undefined;
      if (signal.aborted) return;
      if (stacks.length === 0)
        throw new SnagError(
          'process-gone',
          `py-spy recorded no samples of process ${this.opts.pid} on ${where}: it has exited or runs no Python code any more.`,
          ['refresh-processes'],
        );
      if (writers.length) notes.unshift(pipeWriterNote(writers));
      notes.unshift(NONBLOCKING_NOTE);
      await onBatch({ startMs, endMs, stacks, activeThreads, ...(notes.length ? { notes } : {}) });
    }
  }

  /**
   * Recordings a session that died mid-chunk left behind (an extension host killed, a dropped
   * connection). A live session rewrites its file every second, so one untouched for 10 minutes
   * is nobody's; other users' files are theirs to keep (the sticky /tmp refuses anyway).
   */
  private async removeStale(): Promise<void> {
    const argv = ['find', '/tmp', '-maxdepth', '1', '-type', 'f', '-name', `${RECORD_PREFIX.slice('/tmp/'.length)}*.txt`, '-mmin', '+10', '-delete'];
    await this.target.runner.run(argv, { timeoutMs: 10_000, okExitCodes: [0, 1] }).catch(() => undefined);
  }

  /** Native ids of the threads running Python code now; undefined when the dump failed. */
  private async activeThreads(pyspy: string, signal: AbortSignal): Promise<number[] | undefined> {
    try {
      const place = await placeFor(this.target, this.opts.pid, signal);
      const run = await runGuarded(place, pyspyDumpTool(pyspy, place.pid, { nonblocking: true, signal, timeoutMs: 10_000 }));
      return parsePySpyDump(resultOf(run).stdout)
        .filter((t) => t.active)
        .map((t) => t.nativeId ?? t.id);
    } catch {
      return undefined; // activity unknown for this chunk; a lasting failure fails the next chunk
    }
  }
}
