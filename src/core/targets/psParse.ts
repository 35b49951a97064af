// Parses `ps` output into ProcessInfo (without Python recognition, which needs /proc facts).
// Works for any target that has procps `ps`: local, `docker exec`, ssh.
import type { ProcessInfo } from '../model';

/** procps columns, fixed order; `args` last because it contains spaces. */
export const PS_ARGV: readonly string[] = ['ps', '-e', '-ww', '-o', 'pid=,ppid=,user:64=,stat=,pcpu=,rss=,nlwp=,etimes=,args='];

const LINE = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(\S+)\s+([\d.]+)\s+(\d+)\s+(\d+)\s+(\d+)\s(.*)$/;

export function parsePs(stdout: string): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const raw of stdout.split('\n')) {
    const m = LINE.exec(raw);
    if (!m) continue;
    const command = m[9]!.trim();
    out.push({
      pid: Number(m[1]),
      ppid: Number(m[2]),
      user: m[3]!,
      state: m[4]!,
      cpuPercent: Number(m[5]),
      rssKb: Number(m[6]),
      threads: Number(m[7]),
      elapsedSeconds: Number(m[8]),
      command,
      name: displayName(command),
      isPython: false,
    });
  }
  return out;
}

const PY_OPTS_WITH_ARG = new Set(['-W', '-X', '-Q']);

/** The words of a command line ps printed joined by spaces; an executable path with spaces kept whole when it is known. */
function splitCommand(command: string, exe?: string): string[] {
  const exePath = exe?.replace(/ \(deleted\)$/, '');
  if (exePath?.includes(' ') && (command === exePath || command.startsWith(`${exePath} `)))
    return [exePath, ...command.slice(exePath.length).split(/\s+/).filter(Boolean)];
  return command.split(/\s+/).filter(Boolean);
}

const PY_SCRIPT = /\.pyw?$/;

/**
 * The script or module a Python command line runs, else the executable's base name. `argv` is the
 * real argument list when it is known (this machine's /proc/<pid>/cmdline): `python3 "my dir/work
 * job.py"` is then `work job.py`. From ps's joined text alone, a script word that is not a `.py`
 * file is joined with the words after it up to the first `.py` one (before any option).
 */
export function displayName(command: string, exe?: string, argv?: readonly string[]): string {
  if (command.startsWith('[') && command.endsWith(']')) return command; // kernel thread
  // A title a process wrote over its argv (setproctitle: `gunicorn: worker [app]`) reads as ps prints it.
  const exact = !!argv?.length && !(argv[0]!.includes(' ') && !argv[0]!.startsWith('/'));
  const args = exact ? argv!.filter(Boolean) : splitCommand(command, exe);
  const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);
  const prog = base(args[0] ?? exe ?? '?');
  if (/^python[\d.]*$/.test(prog) || (exe && /python[\d.]*$/.test(base(exe)) && prog === base(exe))) {
    for (let i = 1; i < args.length; i++) {
      const a = args[i]!;
      if (a === '-m' && args[i + 1]) return `${prog} -m ${args[i + 1]}`;
      if (a === '-c') return `${prog} -c …`;
      if (PY_OPTS_WITH_ARG.has(a)) {
        i++;
        continue;
      }
      if (a.startsWith('-')) continue;
      if (!exact && !PY_SCRIPT.test(a))
        for (let j = i + 1; j < args.length && !args[j]!.startsWith('-'); j++) if (PY_SCRIPT.test(args[j]!)) return base(args.slice(i, j + 1).join(' '));
      return base(a);
    }
    return prog;
  }
  // Launchers and setproctitle names (`gunicorn: worker [app]`) read best as written.
  if (prog.endsWith(':')) return args.slice(0, 3).join(' ');
  return prog;
}

const PY_EXE = /(^|\/)(python|pypy)[\d.]*m?(-dbg)?$/;
const PY_LAUNCHER =
  /(^|[\s/])(uwsgi|gunicorn|celery|uvicorn|hypercorn|daphne|airflow|dramatiq|huey|rq|supervisord|jupyter[\w-]*|ipython\d?|pytest|python[\d.]*|pypy[\d.]*)(\b|$)/i;

/** Is this executable a Python interpreter (by name, after resolving symlinks)? */
export function isPythonExe(exe: string): boolean {
  return PY_EXE.test(exe.replace(/ \(deleted\)$/, ''));
}

/** Tools that load libpython for their own scripting: not Python programs (gdb is Snag's own, mid-dump). */
const SCRIPTING_HOST = /(^|\/)(gdb|gdb-multiarch|lldb[\w.-]*|vim|vim\.\w+|nvim|gvim)$/;

export function isScriptingHost(command: string, exe?: string): boolean {
  return SCRIPTING_HOST.test(exe ?? command.split(/\s+/)[0] ?? '');
}

/** Command lines worth checking for an embedded interpreter (libpython mapped). */
export function mightEmbedPython(command: string, exe?: string): boolean {
  return !isScriptingHost(command, exe) && PY_LAUNCHER.test(command);
}

/**
 * The file name of a libpython (`libpython3.11.so.1.0`), as a pattern that means the same in a
 * JavaScript RegExp and in a POSIX ERE (`grep -E` on a container's or an ssh host's /proc/PID/maps).
 */
export const LIBPYTHON_FILE = 'lib(python|pypy)[0-9.]+[a-z]*\\.so[0-9.]*';
/** `grep -o -E` of a mapped libpython's path in a maps file. */
export const LIBPYTHON_PATH_ERE = `/[^ ]*/${LIBPYTHON_FILE}`;
const LIBPYTHON_IN_MAPS = new RegExp(`(?:^|\\s)(/\\S*/${LIBPYTHON_FILE})\\s*$`, 'm');

/** The libpython a process has mapped, from the text of /proc/<pid>/maps (or the path grep found in it). */
export function libpythonFromMaps(maps: string): string | undefined {
  return LIBPYTHON_IN_MAPS.exec(maps)?.[1];
}

/**
 * What a process's maps said: their text (or the libpython path found in them; '' when looked at and
 * none was), 'unreadable' when they could not be read, undefined when nobody looked.
 */
export type MappedLibraries = string | 'unreadable' | undefined;

/**
 * Whether a process is Python, the one rule of every target kind (this machine, a container, an ssh
 * host); sets p.isPython and p.pythonReason. By its executable (`python3.11`, symlinks resolved); else
 * by a libpython it maps (a launcher embedding Python, not a tool scripting with it: gdb, vim); else,
 * when its maps could not be read or nothing about it could, by the command's first word.
 */
export function decidePython(p: ProcessInfo, exe: string | undefined, maps: MappedLibraries): void {
  const first = p.command.split(/\s+/)[0] ?? '';
  const lib = maps === undefined || maps === 'unreadable' || isScriptingHost(p.command, exe) ? undefined : libpythonFromMaps(maps);
  if (exe && isPythonExe(exe)) {
    p.isPython = true;
    p.pythonReason = `executable ${exe}`;
  } else if (lib) {
    p.isPython = true;
    p.pythonReason = `${lib.slice(lib.lastIndexOf('/') + 1)} is loaded`;
  } else if (maps === 'unreadable' && isPythonExe(first)) {
    p.isPython = true;
    p.pythonReason = `command ${first} (process not readable)`;
  } else if (!exe && maps === undefined && isPythonExe(first)) {
    p.isPython = true;
    p.pythonReason = `command ${first}`;
  }
}

/** `3.11` from `/usr/bin/python3.11` or `libpython3.11.so.1.0`. */
export function pythonVersionFromPath(p: string | undefined): string | undefined {
  if (!p) return undefined;
  return /(?:python|pypy)(\d+\.\d+)/.exec(p.slice(p.lastIndexOf('/') + 1))?.[1];
}

/**
 * A process's Python version from what recognising it found: its executable (`python3.11`), else
 * the libpython it maps (`libpython3.11.so is loaded`). The one rule every target kind answers by.
 */
export function pythonVersionOf(p: ProcessInfo): string | undefined {
  return pythonVersionFromPath(p.exe) ?? pythonVersionFromPath(/(\S*lib(?:python|pypy)[\d.]+\S*)/.exec(p.pythonReason ?? '')?.[1]);
}
