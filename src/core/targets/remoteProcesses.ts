// Processes on a target Snag reaches through a runner (an ssh host, a container): one `ps`, then
// one constant shell script that reads the /proc facts Python recognition needs — the resolved
// executable, a libpython mapped into launchers (uwsgi, gunicorn…) and CPU ticks — for the PIDs
// it is given as arguments. The script is a fixed string, never built from input: PIDs travel
// as separate arguments (`sh -c SCRIPT sh 12 m34 …`), so nothing the target reports is ever parsed
// as shell code.
import type { ProcessInfo } from '../model';
import { decidePython, displayName, LIBPYTHON_PATH_ERE, mightEmbedPython, parsePs, PS_ARGV } from './psParse';
import type { Runner } from '../runner';
import type { ListOptions } from './target';

/**
 * For each argument `PID` (or `mPID`: also look for libpython in its maps) prints
 *   `e PID <exe or empty>`, `s PID <fields of /proc/PID/stat after the command>`,
 *   `l PID <libpython path>` or `l PID ?1` (not mapped) / `l PID ?2` (maps unreadable).
 */
export const PYTHON_FACTS_SCRIPT = `for a do
  p=\${a#m}
  printf 'e %s ' "$p"; readlink "/proc/$p/exe" 2>/dev/null || echo
  { read -r s < "/proc/$p/stat" && printf 's %s %s\\n' "$p" "\${s##*") "}"; } 2>/dev/null
  if [ "$a" != "$p" ]; then
    printf 'l %s ' "$p"; grep -m1 -o -E '${LIBPYTHON_PATH_ERE}' "/proc/$p/maps" 2>/dev/null || echo "?$?"
  fi
done`;

export interface PythonFacts {
  exe?: string;
  /** The libpython path, 'unreadable' when maps could not be read, undefined when not looked at / none. */
  lib?: string | 'unreadable';
  /** utime + stime, in clock ticks. */
  cpuTicks?: number;
}

/** Parses the script's output into facts per PID. */
export function parsePythonFacts(stdout: string): Map<number, PythonFacts> {
  const facts = new Map<number, PythonFacts>();
  const get = (pid: number) => {
    let f = facts.get(pid);
    if (!f) facts.set(pid, (f = {}));
    return f;
  };
  for (const line of stdout.split('\n')) {
    const m = /^([esl]) (\d+) ?(.*)$/.exec(line);
    if (!m) continue;
    const [, kind, pidText, rest = ''] = m;
    const f = get(Number(pidText));
    if (kind === 'e' && rest) f.exe = rest;
    else if (kind === 's') {
      // After the command: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime …
      const fields = rest.split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]);
      if (Number.isFinite(ticks)) f.cpuTicks = ticks;
    } else if (kind === 'l') {
      if (rest === '?2') f.lib = 'unreadable';
      else if (rest.startsWith('/')) f.lib = rest;
    }
  }
  return facts;
}

/** Decides whether a process is Python from its facts (the same rules as for local processes); mutates p. */
export function applyPythonFacts(p: ProcessInfo, f: PythonFacts | undefined): void {
  if (f?.exe) p.exe = f.exe;
  decidePython(p, f?.exe, f?.lib);
  p.name = displayName(p.command, f?.exe);
}

function isKernelThread(p: ProcessInfo): boolean {
  return p.pid === 2 || p.ppid === 2 || (p.ppid === 0 && p.command.startsWith('['));
}

/** Reads the facts for these processes with one run of the constant script. */
export async function readPythonFacts(
  runner: Runner,
  procs: readonly ProcessInfo[],
  opts: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<Map<number, PythonFacts>> {
  const args = procs.filter((p) => !isKernelThread(p)).map((p) => (mightEmbedPython(p.command) ? `m${p.pid}` : String(p.pid)));
  if (args.length === 0) return new Map();
  const { stdout } = await runner.run(['sh', '-c', PYTHON_FACTS_SCRIPT, 'sh', ...args], {
    timeoutMs: opts.timeoutMs ?? 20_000,
    signal: opts.signal,
    maxBytes: 16 * 1024 * 1024,
  });
  return parsePythonFacts(stdout);
}

/** Lists processes through a runner: `ps` there, then the facts script. */
export async function listProcessesVia(
  runner: Runner,
  opts: ListOptions & { timeoutMs?: number } = {},
): Promise<{ processes: ProcessInfo[]; facts: Map<number, PythonFacts> }> {
  const { stdout } = await runner.run(PS_ARGV, { timeoutMs: opts.timeoutMs ?? 20_000, signal: opts.signal, maxBytes: 64 * 1024 * 1024 });
  // Drop the listing's own `ps` (its parent is the remote shell that ran it).
  const all = parsePs(stdout).filter((p) => !p.command.startsWith(PS_ARGV.join(' ')));
  const facts = await readPythonFacts(runner, all, opts);
  for (const p of all) applyPythonFacts(p, facts.get(p.pid));
  return { processes: opts.all ? all : all.filter((p) => p.isPython), facts };
}
