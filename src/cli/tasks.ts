// `snag tasks <pid>`: every pending asyncio task of a process, grouped by where it waits, with what
// each awaits and (in asyncio debug mode) where it was created; with --interval, two readings and
// what changed between them (a pile-up growing, tasks that ended). Read from the process's memory:
// nothing is attached and the process never pauses.
import { parseArgs } from 'node:util';
import { SnagError } from '../core/errors';
import { mapTasks } from '../core/asyncio/dumpTasks';
import { readAsyncioTasks } from '../core/asyncio/readTasks';
import { taskFindings } from '../core/asyncio/taskFindings';
import { tasksToJson, tasksToText } from '../core/asyncio/taskText';
import { SourceMapper } from '../core/mapping/sourceMap';
import type { AsyncioTasks, Finding, PathMapping } from '../core/model';
import { mapperFor } from '../core/pipeline/dumpProcess';
import { threadIdError } from '../core/targets/processKind';
import { localPidMax, parsePid, PID_LIMIT } from '../core/validate/pid';
import { safeText } from '../core/text/safeText';
import { parseDecimal, parseSeconds, requireValues, rootFolder } from './options';
import { kindContext, pickKind, TARGET_READ_OPTIONS } from './targetOptions';

export const TASKS_USAGE = `  snag tasks <pid> [--json] [--interval S] [--python PATH] [--root DIR] [--map REMOTE=LOCAL] [--timeout S]
                                              the asyncio tasks of a process, grouped by where they wait
                                              (read from its memory: never paused); --interval S reads
                                              twice, S seconds apart (at most 3600), and says what changed`;

export interface TasksIo {
  out: (s: string) => void;
  isTTY: boolean;
  signal?: AbortSignal;
}

const MAX_INTERVAL_S = 3600;

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((res, rej) => {
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', abort);
      res();
    }
    function abort() {
      clearTimeout(timer);
      rej(new SnagError('cancelled', 'Reading the asyncio tasks was cancelled between the two readings.'));
    }
    if (signal?.aborted) abort();
    else signal?.addEventListener('abort', abort, { once: true });
  });
}

function findingLines(findings: readonly Finding[]): string[] {
  return findings.flatMap((f) => [safeText(`${f.severity}: ${f.title}`), ...(f.detail ? [safeText(`    ${f.detail}`)] : [])]);
}

export async function tasksCommand(args: string[], io: TasksIo, parseMapping: (spec: string) => PathMapping): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      interval: { type: 'string' },
      python: { type: 'string' },
      root: { type: 'string' },
      map: { type: 'string', multiple: true },
      timeout: { type: 'string' },
      ...TARGET_READ_OPTIONS,
    },
  });
  requireValues(values);
  const kind = pickKind(values);
  if (positionals.length > 1) throw new SnagError('bad-input', `tasks takes one process id, got ${positionals.length}: ${positionals.join(' ')}`);
  const pid = parsePid(positionals[0], 'tasks', kind.localPids ? localPidMax() : PID_LIMIT);
  const intervalMs = values.interval === undefined ? undefined : parseDecimal('--interval', values.interval, 'seconds', MAX_INTERVAL_S) * 1000;
  const timeoutMs = parseSeconds('--timeout', values.timeout);
  const mapper = new SourceMapper({ workspaceRoots: [rootFolder(values.root)], mappings: (values.map ?? []).map(parseMapping) });
  const target = await kind.open(values, kindContext(io.signal));
  let readings: AsyncioTasks[];
  try {
    const refused = await threadIdError(target, pid, 'snag tasks');
    if (refused) throw refused;
    const targetMapper = await mapperFor(target, mapper, io.signal, pid);
    const read = async () => mapTasks(await readAsyncioTasks(target, pid, { signal: io.signal, timeoutMs, python: values.python }), targetMapper);
    readings = [await read()];
    if (intervalMs !== undefined) {
      await wait(intervalMs, io.signal);
      readings.push(await read());
    }
  } finally {
    await target.dispose?.();
  }
  const now = readings[readings.length - 1]!;
  const findings = taskFindings(now, readings.length > 1 ? readings[0] : undefined);
  if (values.json) {
    io.out(
      JSON.stringify({ ...(tasksToJson(now) as object), findings, ...(readings.length > 1 ? { previous: tasksToJson(readings[0]!) } : {}) }, null, 2) + '\n',
    );
    return;
  }
  const lines = tasksToText(now, { highlight: io.isTTY ? (s) => `\x1b[1m${s}\x1b[0m` : undefined });
  io.out([lines[0]!, ...findingLines(findings), ...lines.slice(1)].join('\n') + '\n');
}
