// The guard as a fixed POSIX sh program, for places behind a connection (ssh, `docker exec`): one
// round trip looks at the process's tasks, runs the tool (with `--nonblocking` added, or refused,
// when a thread is blocked writing to a pipe), ends it there at a limit a little past Snag's own,
// ends what it left in its process group, and resumes the process if the tool left it stopped.
// Only builtins besides the tool, `timeout` (used where it exists) and `kill`, so minimal images work.
// What it saw comes back as `snag-guard …` lines on stderr, which guardedStderr() removes again.
import { PIPE_WRITE_WCHANS } from '../proc/tasks';

/** Exit code of the guard when it refused to start a tool that must pause a pipe writer. */
export const REFUSED_EXIT = 97;
/** Exit code of the guard when the tool is not there (126/127 are left to mean: no sh here). */
export const TOOL_MISSING_EXIT = 96;

/** Sets `into` when a task is stopped (T); with `traced`, also when one is in a tracer's stop (t). */
const STOPPED = (into: string, traced = false) =>
  `${into}=; for t in /proc/"$pid"/task/*; do { while read -r k v _; do case "$k" in State:) case "$v" in T${traced ? '|t' : ''}) ${into}=1;; esac; break;; esac; done < "$t/status"; } 2>/dev/null; done`;

export const GUARD_SCRIPT = [
  'limit=$1; pid=$2; mode=$3; shift 3; nb=',
  `command -v "$1" >/dev/null 2>&1 || { echo "snag-guard tool-missing" >&2; exit ${TOOL_MISSING_EXIT}; }`,
  'for t in /proc/"$pid"/task/*; do',
  '  w=; { read -r w < "$t/wchan"; } 2>/dev/null',
  `  case "$w" in ${PIPE_WRITE_WCHANS.join('|')}) echo "snag-guard pipe-writer \${t##*/}" >&2; nb=1;; esac`,
  'done',
  // Stopped by the user (Ctrl-Z) or held by another debugger: left exactly as found.
  STOPPED('before', true),
  '[ -n "$before" ] && echo "snag-guard stopped-before" >&2',
  'if [ -n "$nb" ]; then case "$mode" in refuse) exit ' + REFUSED_EXIT + ';; nonblocking) set -- "$@" --nonblocking;; esac; fi',
  'if timeout --foreground -k 2 5 true 2>/dev/null; then timeout --foreground -k 2 "$limit" "$@"; else "$@"; fi; rc=$?',
  // A killed tool can leave members of its group behind (gdb's stopped ptrace probe) that hold the
  // output open; signals go only to sh's own group, and only where sh leads one.
  'trap "" TERM; kill -TERM -$$ 2>/dev/null; kill -CONT -$$ 2>/dev/null',
  'if [ -z "$before" ]; then',
  `  ${STOPPED('after')}`,
  // Always: a stop may still be on its way (a tool that died mid-attach leaves its SIGSTOP pending,
  // or stopped the process just before it exited); SIGCONT discards a pending stop and ends a done one.
  '  kill -CONT "$pid" 2>/dev/null',
  '  if [ -n "$after" ]; then',
  `    ${STOPPED('still')}`,
  '    if [ -n "$still" ]; then echo "snag-guard still-stopped" >&2; else echo "snag-guard resumed" >&2; fi',
  '  fi',
  'fi',
  'exit $rc',
].join('\n');

/** What a tool does when a thread of the process is blocked writing to a pipe. */
export type PipeWriterPolicy = 'nonblocking' | 'refuse' | 'ignore';

export function guardedArgv(toolArgv: readonly string[], pid: number, limitSeconds: number, policy: PipeWriterPolicy): string[] {
  return ['sh', '-c', GUARD_SCRIPT, 'snag-guard', String(Math.max(1, Math.ceil(limitSeconds))), String(pid), policy, ...toolArgv];
}

export interface GuardReport {
  /** The guard said anything (so its sh ran). */
  spoke: boolean;
  toolMissing: boolean;
  pipeWriters: number[];
  stoppedBefore: boolean;
  resumed: boolean;
  stillStopped: boolean;
}

/** Splits the guard's own lines off the tool's stderr. */
export function guardedStderr(stderr: string): { stderr: string; report: GuardReport } {
  const report: GuardReport = { spoke: false, toolMissing: false, pipeWriters: [], stoppedBefore: false, resumed: false, stillStopped: false };
  const kept: string[] = [];
  for (const line of stderr.split('\n')) {
    const m = /^snag-guard (pipe-writer (\d+)|tool-missing|stopped-before|resumed|still-stopped)$/.exec(line);
    if (!m) {
      kept.push(line);
      continue;
    }
    report.spoke = true;
    if (m[2]) report.pipeWriters.push(Number(m[2]));
    else if (m[1] === 'tool-missing') report.toolMissing = true;
    else if (m[1] === 'stopped-before') report.stoppedBefore = true;
    else if (m[1] === 'resumed') report.resumed = true;
    else report.stillStopped = true;
  }
  return { stderr: kept.join('\n'), report };
}

/** For a separate watcher runner: prints `tid state wchan` per task. */
export const LOOK_SCRIPT = [
  'for t in /proc/"$1"/task/*; do',
  '  [ -d "$t" ] || continue; w=; s=',
  '  { read -r w < "$t/wchan"; } 2>/dev/null',
  '  { while read -r k v _; do case "$k" in State:) s=$v; break;; esac; done < "$t/status"; } 2>/dev/null',
  '  [ -n "$s" ] && printf "%s %s %s\\n" "${t##*/}" "$s" "${w:--}"',
  'done',
  'exit 0',
].join('\n');
