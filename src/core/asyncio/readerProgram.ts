// The program Snag's asyncio task reader runs: snag_asyncio.py beside this file (imported as its
// text, as the gdb program is: esbuild's '.py' text loader in the bundle, scripts/load-text.mjs
// under tsx) with the struct layouts of CPython 3.8–3.13 (layouts/, written by
// scripts/generate-asyncio-layouts.py from each interpreter's debug info). Both travel in the argv,
// compressed, so the reader runs wherever a Python 3 is (this machine, `docker exec`, ssh) without
// copying a file there.
import { deflateSync } from 'node:zlib';
import READER_PROGRAM from './snag_asyncio.py';
import L38 from './layouts/cpython-3.8.json';
import L39 from './layouts/cpython-3.9.json';
import L310 from './layouts/cpython-3.10.json';
import L311 from './layouts/cpython-3.11.json';
import L312 from './layouts/cpython-3.12.json';
import L313 from './layouts/cpython-3.13.json';
import { checkPid } from '../validate/pid';

export const ASYNCIO_BEGIN = '@@SNAG-ASYNCIO-BEGIN@@';
export const ASYNCIO_END = '@@SNAG-ASYNCIO-END@@';

/** The CPython minor versions the reader has layouts for. */
export const LAYOUTS: Readonly<Record<string, unknown>> = { '3.8': L38, '3.9': L39, '3.10': L310, '3.11': L311, '3.12': L312, '3.13': L313 };

export interface ReaderArgs {
  /** The process as the reader sees it (its pid where the reader runs). */
  pid: number;
  /** What Snag knows of the interpreter's version (`3.11.7`), for a binary whose name does not say. */
  versionHint?: string;
  maxTasks?: number;
  /** The reader's own limit, a little under Snag's: it stops reading tasks and reports what it has. */
  timeoutS: number;
}

const pack = (text: string) => deflateSync(Buffer.from(text, 'utf8'), { level: 9 }).toString('base64');
/** Packed at the first read, not when the module loads (every CLI start would pay for it). */
let packedProgram: string | undefined;

/**
 * The loader Python runs with -c: it unpacks the program (argv[1]) and its arguments (argv[2]).
 * -I: no user site, no PYTHON* variables and no current folder on sys.path, so nothing of the
 * target's own code or environment is imported; -S: no site module; -B: no .pyc written there.
 */
const LOADER =
  'import base64,json,sys,zlib;' +
  "u=lambda s:zlib.decompress(base64.b64decode(s)).decode('utf-8');" +
  "exec(compile(u(sys.argv[1]),'snag-asyncio.py','exec'),{'__name__':'snag_asyncio','SNAG_ARGS':json.loads(u(sys.argv[2]))})";

/** The interpreter's flags and the program: what follows the Python executable in every candidate. */
export function readerArgs(args: ReaderArgs): string[] {
  checkPid(args.pid);
  return ['-I', '-S', '-B', '-c', LOADER, (packedProgram ??= pack(READER_PROGRAM)), pack(JSON.stringify({ ...args, layouts: LAYOUTS }))];
}

/** Where a Python to run the reader comes from, in the order tried. */
export interface PythonCandidate {
  /** For messages: `python3`, `the process's own interpreter`. */
  label: string;
  argv(args: ReaderArgs): string[];
}

/**
 * Tried in order: the process's own interpreter (its /proc/PID/exe where the reader runs, only when
 * that is a python executable, so no other program is ever started with these arguments: it is a
 * Python 3.8+ by definition, and present even in a slim image), then `python3` on the PATH there
 * (an embedded interpreter: uwsgi, a C program linking libpython).
 */
export function pythonCandidates(configured?: string): PythonCandidate[] {
  if (configured) return [{ label: configured, argv: (a) => [configured, ...readerArgs(a)] }];
  return [
    {
      label: "the process's own interpreter",
      argv: (a) => [
        'sh',
        '-c',
        'e=$(readlink "/proc/$0/exe") || exit 127; case "${e##*/}" in python*) exec "$e" "$@";; esac; exit 127',
        String(a.pid),
        ...readerArgs(a),
      ],
    },
    { label: 'python3', argv: (a) => ['python3', ...readerArgs(a)] },
  ];
}
