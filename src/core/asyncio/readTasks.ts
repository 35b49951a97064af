// Reads a process's asyncio tasks: Snag's reader program (snag_asyncio.py) runs with a Python 3
// where the process lives — the place its target offers tools (this machine, `docker exec` into
// its container, its ssh host), so one implementation serves every target kind — and reads the
// process's memory through /proc/PID/mem. It never attaches (no ptrace stop, nothing written,
// no code run in the target), so the guard's pause protections have nothing to do; what every tool
// run gets it gets too: run()'s timeout, Cancel and output cap here, and on the far side the
// reader's own alarm a little after Snag's limit (a killed ssh or `docker exec` client does not end
// the program it started).
import { explainProcessKind } from '../targets/processKind';
import { SnagError } from '../errors';
import type { AsyncioTasks } from '../model';
import { RunError, type RunResult } from '../run';
import { placeFor } from '../targets/targetPlace';
import type { Target } from '../targets/target';
import { ptraceHelp } from '../backends/ptraceHelp';
import { checkPid } from '../validate/pid';
import { parseReport, readerError, reportText, TOOL } from './parseTasks';
import { pythonCandidates } from './readerProgram';

export const TASKS_TIMEOUT_MS = 20_000;
/** 10,000 tasks are about 1 MB of report; this leaves room for half a million. */
const MAX_REPORT_BYTES = 64 * 1024 * 1024;

export interface TaskReadRequest {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** What Snag knows of the process's Python version, for an interpreter whose file name does not say. */
  pythonVersion?: string;
  /** A Python to run the reader with where the process lives (default: python3, then the process's own). */
  python?: string;
  maxTasks?: number;
}

/** A Python that could not run the reader there (missing, Python 2, too old): the next one is tried. */
function unusable(err: unknown): boolean {
  if (RunError.is(err, 'not-found')) return true;
  if (!RunError.is(err, 'exit') || reportText(err.stdout) !== undefined) return false;
  return err.exitCode === 126 || err.exitCode === 127 || /Unknown option|SyntaxError|invalid syntax|No module named/i.test(err.stderr);
}

export async function readAsyncioTasks(target: Target, pid: number, req: TaskReadRequest = {}): Promise<AsyncioTasks> {
  checkPid(pid);
  const place = await placeFor(target, pid, req.signal);
  const timeoutMs = req.timeoutMs ?? TASKS_TIMEOUT_MS;
  const args = {
    pid: place.pid,
    timeoutS: Math.max(1, timeoutMs / 1000 - 1),
    ...(req.pythonVersion ? { versionHint: req.pythonVersion } : {}),
    ...(req.maxTasks ? { maxTasks: req.maxTasks } : {}),
  };
  const started = Date.now();
  const tried: string[] = [];
  let result: RunResult | undefined;
  for (const candidate of pythonCandidates(req.python)) {
    try {
      result = await place.runner.run(candidate.argv(args), { timeoutMs, signal: req.signal, maxBytes: MAX_REPORT_BYTES });
      break;
    } catch (err) {
      if (RunError.is(err, 'timed-out'))
        throw new SnagError('timed-out', `${TOOL} did not finish reading process ${pid} on ${place.where} within ${Math.round(timeoutMs / 1000)} s.`, [
          'show-log',
        ]);
      if (RunError.is(err, 'cancelled')) throw new SnagError('cancelled', `Reading the asyncio tasks of process ${pid} was cancelled.`);
      // A report on a failing exit is still the reader's answer (it exits 0 when it can say why).
      if (RunError.is(err) && reportText(err.stdout) !== undefined) {
        result = err.result as RunResult;
        break;
      }
      if (!unusable(err))
        throw err instanceof SnagError ? err : new SnagError('tool-failed', `${TOOL} failed on ${place.where}: ${errorLine(err)}`, ['show-log']);
      tried.push(candidate.label);
    }
  }
  if (!result)
    throw new SnagError(
      'tool-not-found',
      `Reading asyncio tasks needs a Python 3 where process ${pid} runs (${place.where}); none was found (tried ${tried.join(' and ')}).`,
      ['show-log'],
    );
  const json = reportText(result.stdout);
  if (json === undefined)
    throw new SnagError('tool-failed', `${TOOL} printed no report on ${place.where}${result.stderr.trim() ? `: ${errorLine(result.stderr)}` : ''}.`, [
      'show-log',
    ]);
  const report = parseReport(json, pid, new Date(started).toISOString(), Date.now() - started);
  // A zombie, a kernel thread or a process whose main thread exited is told for what it is, as a dump tells it.
  if (!report.ok) throw await explainProcessKind(readerError(report.error, pid, place.where, ptraceHelp(place.where)), target, pid, req.signal);
  return report.tasks;
}

function errorLine(err: unknown): string {
  const s = typeof err === 'string' ? err : RunError.is(err) ? err.stderr.trim() || err.message : err instanceof Error ? err.message : String(err);
  return s.trim().split('\n').filter(Boolean).pop()?.slice(0, 300) ?? '';
}
