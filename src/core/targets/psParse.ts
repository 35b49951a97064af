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

/** The script or module a Python command line runs, else the executable's base name. */
export function displayName(command: string, exe?: string): string {
  if (command.startsWith('[') && command.endsWith(']')) return command; // kernel thread
  const args = command.split(/\s+/).filter(Boolean);
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

/** The libpython a process has mapped, from the text of /proc/<pid>/maps. */
export function libpythonFromMaps(maps: string): string | undefined {
  const m = /\s(\/\S*\/libpython[\d.]+[a-z]*\.so[\d.]*)\s*$/m.exec(maps);
  return m?.[1];
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
