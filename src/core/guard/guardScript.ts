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

/**
 * Sets `into` when a task is stopped (T) or has a SIGSTOP on its way (bit 18 of SigPnd/ShdPnd: a
 * kill() returns before the stop is delivered, so a tool that stopped the process just before it
 * exited leaves only that); with `traced`, also when a task is in a tracer's stop (t).
 */
const STOPPED = (into: string, traced = false) =>
  `${into}=; for t in /proc/"$pid"/task/*; do { while read -r k v _; do case "$k" in ` +
  `State:) case "$v" in T${traced ? '|t' : ''}) ${into}=1;; esac;; ` +
  `SigPnd:|ShdPnd:) x=\${v%????}; case "\${x#"\${x%?}"}" in [4567cdefCDEF]) ${into}=1;; esac;; ` +
  `esac; done < "$t/status"; } 2>/dev/null; done`;

/**
 * `stime` prints the process's start time (field 22 of /proc/<pid>/stat, after the name, which may
 * hold spaces and parentheses): the same pid with another start time is another process (the pid
 * was reused after the target exited), which must not get a SIGCONT meant for the target.
 */
const START_TIME = 'stime_of() { l=; { read -r l < /proc/"$1"/stat; } 2>/dev/null; r=${l##*) }; set -- $r; echo "${20}"; }\nstime() { stime_of "$pid"; }';

export const GUARD_SCRIPT = [
  'limit=$1; pid=$2; mode=$3; shift 3; nb=',
  START_TIME,
  // Who to end if Snag gives up (its reaper ends this group) and which process this is.
  'st0=$(stime); echo "snag-guard pid $$ $st0 $(stime_of $$)" >&2',
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
  // A gdb killed between forking its probe and the probe's PTRACE_TRACEME leaves the probe traced
  // by init, in a tracing stop that only SIGKILL ends: after a killed or timed-out tool, KILL
  // whatever is left of the group but sh itself.
  'if [ "$rc" -ge 124 ]; then sweep() { for s in /proc/[0-9]*/stat; do l=; { read -r l < "$s"; } 2>/dev/null; ' +
    'set -- ${l##*) }; p=${s%/stat}; p=${p#/proc/}; [ "$3" = "$$" ] && [ "$p" != "$$" ] && kill -KILL "$p" 2>/dev/null; done; }; sweep; fi',
  // The target exited (and its pid may be another process's now): nothing to resume.
  // Another process under the same pid (its start time differs): what the tool read may be that one's.
  'st1=$(stime); if [ -z "$st0" ] || [ "$st1" != "$st0" ]; then echo "snag-guard gone" >&2; [ -n "$st0" ] && [ -n "$st1" ] && echo "snag-guard reused" >&2; exit $rc; fi',
  'if [ -z "$before" ]; then',
  `  ${STOPPED('after')}`,
  // Always: a stop may still be on its way (a tool that died mid-attach leaves its SIGSTOP pending,
  // or stopped the process just before it exited); SIGCONT discards a pending stop and ends a done one.
  '  kill -CONT "$pid" 2>/dev/null',
  '  if [ -n "$after" ]; then',
  // SIGCONT is delivered a moment after kill() returns: look again a few times before saying so.
  `    n=0; while :; do ${STOPPED('still')}; [ -z "$still" ] || [ $n -ge 100 ] && break; n=$((n+1)); done`,
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
  /** The guard's own pid (its process group, where it leads one) and the target's start time. */
  guardPid?: number;
  startTime?: string;
  guardStartTime?: string;
  gone: boolean;
  /** The pid named another process after the tool ran (the target exited and its pid was reused). */
  reused: boolean;
  pipeWriters: number[];
  stoppedBefore: boolean;
  resumed: boolean;
  stillStopped: boolean;
}

/** Splits the guard's own lines off the tool's stderr. */
export function guardedStderr(stderr: string): { stderr: string; report: GuardReport } {
  const report: GuardReport = {
    spoke: false,
    toolMissing: false,
    gone: false,
    reused: false,
    pipeWriters: [],
    stoppedBefore: false,
    resumed: false,
    stillStopped: false,
  };
  const kept: string[] = [];
  for (const line of stderr.split('\n')) {
    const m = /^snag-guard (pipe-writer (\d+)|pid (\d+) ?(\d*) ?(\d*)|tool-missing|stopped-before|resumed|still-stopped|gone|reused)$/.exec(line);
    if (!m) {
      kept.push(line);
      continue;
    }
    report.spoke = true;
    if (m[2]) report.pipeWriters.push(Number(m[2]));
    else if (m[3]) {
      report.guardPid = Number(m[3]);
      if (m[4]) report.startTime = m[4];
      if (m[5]) report.guardStartTime = m[5];
    } else if (m[1] === 'gone') report.gone = true;
    else if (m[1] === 'reused') report.reused = true;
    else if (m[1] === 'tool-missing') report.toolMissing = true;
    else if (m[1] === 'stopped-before') report.stoppedBefore = true;
    else if (m[1] === 'resumed') report.resumed = true;
    else report.stillStopped = true;
  }
  return { stderr: kept.join('\n'), report };
}

/** For a separate watcher runner: prints `start <starttime>`, then `tid state wchan` per task. */
export const LOOK_SCRIPT = [
  'pid=$1',
  START_TIME,
  'echo "start $(stime)"',
  'for t in /proc/"$1"/task/*; do',
  '  [ -d "$t" ] || continue; w=; s=',
  '  { read -r w < "$t/wchan"; } 2>/dev/null',
  '  { while read -r k v _; do case "$k" in State:) s=$v; break;; esac; done < "$t/status"; } 2>/dev/null',
  '  [ -n "$s" ] && printf "%s %s %s\\n" "${t##*/}" "$s" "${w:--}"',
  'done',
  'exit 0',
].join('\n');

/**
 * Run through the same runner when Snag gave up on a guarded tool (timeout, Cancel): killing Snag's
 * local client (ssh) does not end the far side, and the target would stay traced or stopped until
 * the far side's own limit. Ends the guard's group, then resumes the target (same start time only).
 * Arguments: guard pid, target pid, target start time, 1 to resume, guard start time.
 */
export const REAP_SCRIPT = [
  'g=$1; pid=$2; st0=$3; resume=$4; gst=$5',
  START_TIME,
  // The guard's pid names the guard still (same start time), not a process that took it since.
  '[ -n "$gst" ] && [ "$(stime_of "$g")" = "$gst" ] || g=',
  // The guard and everything below it (timeout, the tool, what the tool started), by parent pid:
  // the guard leads no process group where ssh or an engine started it inside another.
  'tree=" $g "; grew=$g',
  // Freeze what is found (SIGSTOP), look again: a tool that keeps forking cannot outrun it.
  'while [ -n "$grew" ]; do grew=',
  '  for p in /proc/[0-9]*; do',
  '    c=${p#/proc/}; case "$tree" in *" $c "*) continue;; esac',
  '    l=; { read -r l < "$p/stat"; } 2>/dev/null; [ -n "$l" ] || continue',
  '    r=${l##*) }; set -- $r',
  // A child of the tree, or (reparented by a double fork) a member of the guard's process group.
  '    case "$tree" in *" $2 "*) tree="$tree$c "; grew=1;; *) [ "$3" = "$g" ] && { tree="$tree$c "; grew=1; };; esac',
  '  done',
  '  [ -n "$g" ] && kill -STOP $tree 2>/dev/null',
  'done',
  // A debugger's exit detaches the target a moment after SIGKILL: resume only once it has gone.
  'if [ -n "$g" ]; then kill -KILL $tree 2>/dev/null; kill -KILL -- -"$g" 2>/dev/null; sleep 1; fi',
  // Says "resumed" when the tool had left a task stopped (state T), so Snag's message can tell it.
  'if [ "$resume" = 1 ] && [ -n "$st0" ] && [ "$(stime)" = "$st0" ]; then',
  '  s=; for t in /proc/"$pid"/task/*; do l=; { read -r l < "$t/stat"; } 2>/dev/null; r=${l##*) }; case "$r" in T*) s=1;; esac; done',
  '  kill -CONT "$pid" 2>/dev/null && [ -n "$s" ] && echo resumed',
  'fi',
  'exit 0',
].join('\n');
