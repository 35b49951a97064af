// Samples from `py-spy record --format speedscope`, run where the process lives (the target's
// runner), in one-second chunks: py-spy writes its recording only when it ends, so a live view needs
// short recordings back to back. py-spy writes to a file (it cannot open /dev/stdout when that is
// a socket, as Node's pipes are), read back with `cat` through the same runner (at most `maxBytes`)
// and removed at the end. Speedscope, not raw: it is JSON, so no name from the target can forge a
// thread or a frame (see recordParse). A recording cannot tell idle threads from running ones; a
// non-blocking `py-spy dump` after each chunk (it never pauses the target) says which threads run.
// For the CPU-only shares a second recording runs beside each chunk without `--idle` (py-spy then
// keeps only the samples of running threads); neither pauses the target (both are non-blocking).
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
import { RunError } from '../run';
import { formatBytes } from '../validate/limits';
import { parseSpeedscopeRecord } from './recordParse';
import type { SampleSource } from './sampleSource';
import type { StackSample, ThreadStack } from '../model';

const RECORD_PREFIX = '/tmp/snag-record-';
/** A second at 100 Hz of a few hundred threads, deep stacks: far more than a real chunk takes. */
export const DEFAULT_RECORD_MAX_BYTES = 8 * 1024 * 1024;
/** py-spy counts at most rate × seconds samples of a thread; half as many again leaves room for its timing. */
const SAMPLES_SLACK = 1.5;
const NO_THREAD_STATES_NOTE =
  "py-spy could not match this Python's threads to the kernel's (it knows them only by their pthread ids), so it cannot tell which of them ran: no CPU-only shares for those samples.";
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
  /** Cap on one recording read back; a larger one fails the session (default 8 MiB). */
  maxBytes?: number;
  /** Keep the samples of waiting threads too (py-spy --idle); default true. */
  idle?: boolean;
}

/** The argv of one recording chunk (a tool call is data; the runner decides where it runs). */
export function pyspyRecordArgv(pyspy: string, o: RecordOptions, output: string): string[] {
  const argv = [pyspy, 'record', '--pid', String(checkPid(o.pid)), '--format', 'speedscope', ...(o.idle === false ? [] : ['--idle']), '--full-filenames'];
  argv.push('--rate', String(o.rateHz), '--duration', String(o.chunkSeconds ?? 1), '--output', output);
  if (o.nonblocking) argv.push('--nonblocking');
  if (o.native) argv.push('--native');
  return argv;
}

/** Where the running threads' recording of a chunk goes, beside the chunk's own. */
const cpuOutputOf = (output: string) => output.replace(/\.txt$/, '-running.txt');

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
      // Not cancellable: the files go even when the session was stopped.
      await this.target.runner.run(['rm', '-f', output, cpuOutputOf(output)], { timeoutMs: 10_000 }).catch(() => undefined);
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
    // py-spy's own stdout is a few progress lines; the recording is the file, read with its own cap.
    const runOpts = { signal, maxBytes: 4 * 1024 * 1024, env: { RUST_BACKTRACE: '0' } };
    while (!signal.aborted && !finish?.aborted) {
      const startMs = clock();
      // Under the one guard: a thread blocked writing to a pipe is not paused (this recording then
      // samples without pausing), a stopped target is resumed, a hung py-spy is ended on the far side.
      const place = await placeFor(this.target, this.opts.pid, signal);
      let stdout: string;
      let writers: number[];
      const notes: string[] = [];
      const record = (out: string, idle: boolean) =>
        runGuarded(place, {
          name: 'py-spy',
          argv: (nonblocking) => pyspyRecordArgv(pyspy, { ...this.opts, pid: place.pid, nonblocking, idle }, out),
          onPipeWriter: 'nonblocking',
          // Always: a recording pauses the process up to rate-times a second, and a pipe write that
          // starts between the guard's look and a pause would be cut short. Never paused, never cut.
          nonblocking: true,
          options: { ...runOpts, timeoutMs: chunk * 1000 + 20_000 },
        });
      // The running threads' recording only adds the CPU-only shares: its failure costs those, not the chunk.
      const cpuRun = record(cpuOutputOf(output), false).catch(() => undefined);
      let activeStacks: StackSample[] | undefined;
      try {
        const run = await record(output, true);
        // The two recordings run side by side: the guard of whichever ended first resumed a target
        // either left stopped, and the other then found it running. Either one's resume is said.
        const cpu = await cpuRun;
        const outcome = run.outcome === 'running' && cpu?.outcome === 'resumed' ? 'resumed' : run.outcome;
        const remark = guardRemark(outcome, this.opts.pid, 'py-spy', 'sampling');
        if (run.failure !== undefined || !run.result) throw withRemark(pyspyError(run.failure, this.opts.pid, where), remark);
        if (remark) notes.push(remark);
        notes.push(...run.notes);
        writers = run.pipeWriters;
        // A recording that cannot be read still says that the guard resumed a target py-spy left stopped.
        stdout = await this.readRecording(output, chunk, where, signal, run.result).catch((e: unknown) => {
          throw withRemark(e, remark ?? '');
        });
        activeStacks = await this.runningStacks(cpu, output, chunk, signal);
      } catch (err) {
        if (signal.aborted) return;
        throw await explainRefusedAttach(pyspyError(err, this.opts.pid, where), this.target.runner, this.opts.pid);
      }
      // Output that is not a speedscope recording fails here as py-spy's unreadable output (tool-failed).
      const { stacks, clampedThreads, kernelIds } = parseSpeedscopeRecord(stdout, Math.ceil(this.opts.rateHz * chunk * SAMPLES_SLACK));
      const endMs = clock();
      const look = stacks.length ? lookAt(stacks, await this.activeThreads(pyspy, signal)) : undefined;
      // Threads py-spy knows only by their pthread ids: it could not read which of them ran.
      if (!kernelIds) {
        activeStacks = undefined;
        notes.push(NO_THREAD_STATES_NOTE);
      }
      if (signal.aborted) return;
      if (stacks.length === 0)
        throw new SnagError(
          'process-gone',
          `py-spy recorded no samples of process ${this.opts.pid} on ${where}: it has exited or runs no Python code any more.`,
          ['refresh-processes'],
        );
      if (clampedThreads)
        notes.push(
          `py-spy reported more samples of ${clampedThreads} thread${clampedThreads === 1 ? '' : 's'} than ${this.opts.rateHz} Hz allows in a recording: the extra ones were not counted.`,
        );
      if (writers.length) notes.unshift(pipeWriterNote(writers));
      notes.unshift(NONBLOCKING_NOTE);
      await onBatch({
        startMs,
        endMs,
        stacks,
        ...(look ? { activeThreads: look.active } : {}),
        ...(look?.gil !== undefined ? { gilThread: look.gil } : {}),
        ...(activeStacks ? { activeStacks } : {}),
        ...(notes.length ? { notes } : {}),
      });
    }
  }

  /** The running threads' samples of a chunk, or undefined when that recording failed or cannot be read. */
  private async runningStacks(
    run: Awaited<ReturnType<typeof runGuarded>> | undefined,
    output: string,
    chunk: number,
    signal: AbortSignal,
  ): Promise<StackSample[] | undefined> {
    if (!run || run.failure !== undefined || !run.result || signal.aborted) return undefined;
    try {
      const cap = this.opts.maxBytes ?? DEFAULT_RECORD_MAX_BYTES;
      const text = (await this.target.runner.run(['cat', cpuOutputOf(output)], { signal, maxBytes: cap, timeoutMs: 10_000 })).stdout;
      const parsed = parseSpeedscopeRecord(text, Math.ceil(this.opts.rateHz * chunk * SAMPLES_SLACK));
      // A thread known by its pthread id only has every sample here, asleep or not.
      return parsed.kernelIds ? parsed.stacks : undefined;
    } catch {
      return undefined;
    }
  }

  /** The recording, read back through the runner; one over the cap fails whole (half a JSON file is no use). */
  private async readRecording(
    output: string,
    chunk: number,
    where: string,
    signal: AbortSignal,
    pyspyRun: { stdout: string; stderr: string },
  ): Promise<string> {
    const cap = this.opts.maxBytes ?? DEFAULT_RECORD_MAX_BYTES;
    try {
      return (await this.target.runner.run(['cat', output], { signal, maxBytes: cap, timeoutMs: 10_000 })).stdout;
    } catch (err) {
      if (RunError.is(err, 'exit') && /No such file/i.test(err.stderr)) {
        // py-spy said it succeeded and wrote nothing: its own words, not cat's, say what happened.
        const said = `${pyspyRun.stderr}\n${pyspyRun.stdout}`
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean)
          .pop()
          ?.replace(/[.\s]+$/, '');
        throw new SnagError(
          'tool-failed',
          `py-spy exited without an error but wrote no recording of process ${this.opts.pid} on ${where}${said ? ` (it printed "${said}")` : ''}. Check that it is a working py-spy (py-spy --version), or update it.`,
          ['show-log'],
        );
      }
      if (!RunError.is(err) || err.failure !== 'output-too-large') throw err;
      throw new SnagError(
        'tool-failed',
        `py-spy's recording of ${chunk} s of process ${this.opts.pid} on ${where} is larger than ${formatBytes(cap)}, Snag's cap on one recording (too many threads or samples at once). Sample at a lower rate.`,
        ['show-log'],
      );
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

  /** The threads read now (a non-blocking dump), and whether the kernel said none of them runs; undefined when the dump failed. */
  private async activeThreads(pyspy: string, signal: AbortSignal): Promise<{ threads: ThreadStack[]; noneRuns: boolean } | undefined> {
    try {
      const place = await placeFor(this.target, this.opts.pid, signal);
      const run = await runGuarded(place, pyspyDumpTool(pyspy, place.pid, { nonblocking: true, signal, timeoutMs: 10_000 }));
      // A read that does not pause guesses activity from the innermost frame (a recv under
      // http.client reads as running); when the kernel says no task of the process runs, none does.
      const noneRuns = !!run.tasksBefore?.length && run.tasksBefore.every((task) => task.state !== 'R');
      return { threads: parsePySpyDump(resultOf(run).stdout, place.pid), noneRuns };
    } catch {
      return undefined; // activity unknown for this chunk; a lasting failure fails the next chunk
    }
  }
}

/**
 * The look's threads by the ids the recording gave them (the kernel's, or the pthread id where
 * py-spy had no kernel id), and names for threads the recording left unnamed (py-spy names no
 * thread of a program that never imported threading; the look calls the main one MainThread).
 */
function lookAt(stacks: StackSample[], look: { threads: ThreadStack[]; noneRuns: boolean } | undefined): { active: number[]; gil?: number } | undefined {
  if (!look) return undefined;
  const ids = new Set(stacks.map((s) => s.id));
  const idOf = (t: ThreadStack) => (t.nativeId !== undefined && ids.has(t.nativeId) ? t.nativeId : t.id);
  const names = new Map(look.threads.map((t) => [idOf(t), t.name]));
  for (const s of stacks) if (s.name === `Thread ${s.id}` && names.has(s.id)) s.name = names.get(s.id)!;
  if (look.noneRuns) return { active: [] };
  const gil = look.threads.find((t) => t.ownsGil);
  return { active: look.threads.filter((t) => t.active).map(idOf), ...(gil ? { gil: idOf(gil) } : {}) };
}
