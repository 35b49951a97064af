// The two JSON formats: a saved Snag dump (`snag dump --json`, "Save Dump as JSON…") and
// `py-spy dump --json`. Both are parsed whole (within MAX_OPEN_JSON_BYTES) and checked field by
// field: a file that is JSON but not a dump gets one message saying which field is wrong.
import { SnagError } from '../errors';
import type { Frame, LocalVariable, ThreadStack } from '../model';
import { parsePySpyDump, pySpyThreads } from '../backends/pyspyParse';
import { Shape } from '../validate/toolJson';
import type { ParsedDump } from './parsedDump';
import { MAX_OPEN_FRAMES, MAX_OPEN_THREADS } from './openLimits';

function notADump(what: string, err: unknown): SnagError {
  // The shape checks word it as a tool's output; here it is the user's file.
  const detail = err instanceof Error ? (/cannot read: (.*?)\. Check that/.exec(err.message)?.[1] ?? err.message) : String(err);
  return new SnagError('bad-input', `This looks like ${what}, but Snag cannot read it: ${detail}.`);
}

/** Is this parsed JSON a saved Snag dump (an object with threads and takenAt)? */
export function isSnagJson(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'threads' in v && ('takenAt' in v || 'backend' in v);
}

/** Is this parsed JSON py-spy's (a list of threads with thread_id and frames)? */
export function isPySpyJson(v: unknown): boolean {
  return Array.isArray(v) && (v.length === 0 || (typeof v[0] === 'object' && v[0] !== null && 'thread_id' in v[0] && 'frames' in v[0]));
}

/** `data`: the text already parsed as JSON, when the caller has it (a big dump is not parsed twice). */
export function parsePySpyJsonDump(text: string, data?: unknown): ParsedDump {
  let threads: ThreadStack[];
  try {
    threads = data === undefined ? parsePySpyDump(text) : pySpyThreads(data);
  } catch (err) {
    throw notADump('py-spy dump --json output', err);
  }
  const pid = /"pid"\s*:\s*(\d+)/.exec(text.slice(0, 4096))?.[1];
  return { ...bounded(threads), pid: pid ? Number(pid) : undefined, method: 'py-spy dump --json', backend: 'py-spy' };
}

function bounded(threads: ThreadStack[]): { threads: ThreadStack[]; notes: string[] } {
  const notes: string[] = [];
  if (threads.length > MAX_OPEN_THREADS) {
    notes.push(`Only the first ${MAX_OPEN_THREADS} threads were kept; ${threads.length - MAX_OPEN_THREADS} more were left out.`);
    threads = threads.slice(0, MAX_OPEN_THREADS);
  }
  for (const t of threads) if (t.frames.length > MAX_OPEN_FRAMES) t.frames = t.frames.slice(0, MAX_OPEN_FRAMES);
  return { threads, notes };
}

/** A saved dump's time, kept only when it is one (an ISO date): anything else is dropped. */
function takenAt(v: string | undefined): string | undefined {
  return v !== undefined && /^\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)$/.test(v) && !Number.isNaN(Date.parse(v)) ? v : undefined;
}

export function parseSnagJsonDump(data: unknown): ParsedDump {
  try {
    const s = new Shape('Snag', 'the saved dump');
    const d = s.object(data, 'the dump');
    const threads = s.list(d.threads, 'threads').map((raw, i): ThreadStack => {
      const ts = s.at(`thread ${i + 1}`);
      const t = ts.object(raw, 'the thread');
      const nativeId = ts.optionalPositive(t.nativeId, 'nativeId');
      return {
        id: ts.count(t.id, 'id'),
        ...(nativeId !== undefined ? { nativeId } : {}),
        name: ts.string(t.name, 'name'),
        active: ts.flag(t.active),
        ownsGil: ts.flag(t.ownsGil),
        frames: ts.list(t.frames, 'frames').map((rf, j): Frame => {
          const fs = ts.at(`thread ${i + 1}, frame ${j + 1}`);
          const f = fs.object(rf, 'the frame');
          const frame: Frame = {
            function: fs.string(f.function, 'function'),
            file: fs.string(f.file, 'file'),
            line: fs.count(f.line, 'line'),
            native: fs.flag(f.native),
            isUserCode: false,
          };
          const module = fs.optionalString(f.module, 'module');
          if (module) frame.module = module;
          const note = fs.optionalString(f.note, 'note');
          if (note) frame.note = note;
          if (f.locals !== undefined && f.locals !== null)
            frame.locals = fs.list(f.locals, 'locals').map((rl, k): LocalVariable => {
              const l = fs.object(rl, `local ${k + 1}`);
              return { name: fs.string(l.name, `local ${k + 1}'s name`), repr: fs.optionalString(l.repr, `local ${k + 1}'s repr`), isArg: fs.flag(l.isArg) };
            });
          return frame;
        }),
      };
    });
    const backend = s.optionalString(d.backend, 'backend');
    const notes = d.notes === undefined ? [] : s.list(d.notes, 'notes').map((n, i) => s.string(n, `note ${i + 1}`));
    const b = bounded(threads);
    return {
      threads: b.threads,
      pid: s.optionalPositive(d.pid, 'pid'),
      pythonVersion: s.optionalString(d.pythonVersion, 'pythonVersion'),
      takenAt: takenAt(s.optionalString(d.takenAt, 'takenAt')),
      method: s.optionalString(d.method, 'method'),
      backend: backend === 'py-spy' || backend === 'gdb' || backend === 'python' ? backend : undefined,
      notes: [...notes, ...b.notes],
    };
  } catch (err) {
    throw notADump('a saved Snag dump (snag dump --json)', err);
  }
}
