// Starts real stuck Python programs for tests and always stops them afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '..', '..');
export const PROGRAMS = join(REPO, 'test', 'fixtures', 'programs');
/** The interpreter fixture programs run under (pyenv or system python3). */
export const PYTHON = process.env.SNAG_TEST_PYTHON ?? 'python3';

export interface Started {
  child: ChildProcess;
  pid: number;
  /** Everything the program printed so far. */
  output(): string;
  stop(): void;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of running) killGroup(c);
});

function killGroup(c: ChildProcess): void {
  for (const target of [-(c.pid ?? 0), c.pid ?? 0]) {
    try {
      if (target) process.kill(target, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** Starts test/fixtures/programs/<name> and resolves once it printed its first "ready" line. */
export function startProgram(
  name: string,
  args: string[] = [],
  opts: { python?: string; readyTimeoutMs?: number; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Started> {
  const child = spawn(opts.python ?? PYTHON, ['-u', join(PROGRAMS, name), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: opts.cwd ?? REPO,
    ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}),
    detached: true, // its own process group, so stop() also takes down children it forked
  });
  running.add(child);
  let out = '';
  const stop = () => {
    running.delete(child);
    killGroup(child);
  };
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`${name} did not print "ready" within ${opts.readyTimeoutMs ?? 10_000} ms; output: ${out}`));
    }, opts.readyTimeoutMs ?? 10_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      if (/^ready\b/m.test(out)) {
        clearTimeout(timer);
        resolvePromise({ child, pid: child.pid!, output: () => out, stop });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before ready: ${out}`));
    });
  });
}

/** The 1-based line of the `# SNAG-HANG: <tag>` marker in a fixture program. */
export function hangLine(program: string, tag: string): number {
  const lines = readFileSync(join(PROGRAMS, program), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(`SNAG-HANG: ${tag}`));
  if (i < 0) throw new Error(`no SNAG-HANG: ${tag} in ${program}`);
  return i + 1;
}

/** Kernel state letter of a process (R, S, T, ...), or undefined when it is gone. */
export function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}
