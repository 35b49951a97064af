// Which format an opened dump is in, from its first lines (never asked of the user). Each format
// has marks no other has: py-spy's `Thread N (idle): "name"`, faulthandler's `Thread 0x… (most
// recent call first):`, gdb's `Thread N (Thread 0x… (LWP n) …):`, `#N  … in func (…)` and
// py-bt's `Traceback (most recent call first):`, a traceback's `(most recent call last)`.
import type { OpenedFormat } from '../model';
import { FAULTHANDLER_STACK, FAULTHANDLER_THREAD } from './faulthandler';
import { GDB_FRAME } from './gdbFrameLine';
import { GDB_THREAD, PY_BT_START } from './gdbText';
import { PYSPY_THREAD } from './pyspyText';
import { TRACEBACK_FRAME, TRACEBACK_START } from './traceback';

export const FORMAT_LABELS: Record<OpenedFormat, string> = {
  'snag-json': 'a saved Snag dump (JSON)',
  'py-spy-json': 'py-spy dump --json output',
  'py-spy-text': 'py-spy dump text',
  traceback: 'a Python traceback',
  faulthandler: 'faulthandler output',
  'gdb-text': 'gdb output (bt / py-bt)',
  core: 'a core file',
};

/** What Snag reads, for messages about what it could not. */
export const KNOWN_FORMATS =
  'a saved Snag dump (snag dump --json), py-spy dump (text, --json, --locals, --native), a Python traceback, faulthandler output, and gdb bt / py-bt / thread apply all bt|py-bt output';

export interface Detected {
  format: OpenedFormat | 'unknown';
}

const PYSPY_PROCESS = /^Process \d+: /;
const PYSPY_PYTHON = /^Python v\d/;

/** The format of a dump from its head (up to DETECT_HEAD_CHARS, split in lines). */
export function detectFormat(head: string): Detected {
  const start = head.trimStart();
  // `[New LWP 123]` (gdb) is not JSON: a JSON dump opens with `{"` or `[{`.
  if (/^\{\s*("|\}|$)/.test(start)) return { format: 'snag-json' };
  if (/^\[\s*(\{|\]|$)/.test(start)) return { format: 'py-spy-json' };
  const lines = head.split('\n').map((l) => l.replace(/\r$/, ''));
  const score = { pyspy: 0, faulthandler: 0, gdb: 0, traceback: 0 };
  // `File "…", line N, in f` with no header: traceback.print_stack() (py-bt prints them too, after its header).
  let bareFrames = 0;
  for (const l of lines) {
    if (PYSPY_PROCESS.test(l) || PYSPY_PYTHON.test(l) || (PYSPY_THREAD.test(l) && / \((idle|active|active\+gil|gil)\)/.test(l))) score.pyspy += 2;
    else if (FAULTHANDLER_THREAD.test(l) || FAULTHANDLER_STACK.test(l)) score.faulthandler += 2;
    else if (GDB_THREAD.test(l) || PY_BT_START.test(l) || (GDB_FRAME.test(l) && /^#\d+\s+(0x[0-9a-f]+ in |\S+ \()/.test(l))) score.gdb += 2;
    else if (TRACEBACK_START.test(l)) score.traceback += 2;
    else if (TRACEBACK_FRAME.test(l.replace(/^(\s*\|)+ ?/, ''))) bareFrames++;
    else if (/^ {2}File ".*", line \d+ in /.test(l)) score.faulthandler++;
  }
  if (bareFrames && Object.values(score).every((v) => v === 0)) return { format: 'traceback' };
  const best = (Object.entries(score) as [keyof typeof score, number][]).sort((a, b) => b[1] - a[1])[0]!;
  if (best[1] === 0) return { format: 'unknown' };
  const byName = { pyspy: 'py-spy-text', faulthandler: 'faulthandler', gdb: 'gdb-text', traceback: 'traceback' } as const;
  return { format: byName[best[0]] };
}
