// A target's facts about one of its processes (working directory, children, TCP sockets; see
// proc/processFacts.ts): the target's own reader where it has one (this machine reads /proc
// directly, a container without a shell falls back to its host), else one run of the constant facts
// script through the target's runner (an ssh host, a container with a shell). Never throws: a
// fact that cannot be read is absent, and the rules that wanted it say less.
import { parseProcessFacts, PROCESS_FACTS_SCRIPT, type FactKind, type ProcessFacts } from '../proc/processFacts';
import { parseSsTimes, ssArgv, type OpenSocket } from '../proc/sockets';
import type { Runner } from '../runner';
import { checkPid } from '../validate/pid';
import type { Target } from './target';

const FACTS_TIMEOUT_MS = 10_000;
const FACTS_MAX_BYTES = 8 * 1024 * 1024;

/** The facts through a runner (where the process's /proc is that runner's /proc). */
export async function readFactsVia(runner: Runner, pid: number, kinds: readonly FactKind[], signal?: AbortSignal): Promise<ProcessFacts | undefined> {
  checkPid(pid);
  try {
    const { stdout } = await runner.run(['sh', '-c', PROCESS_FACTS_SCRIPT, 'sh', String(pid), ...kinds], {
      timeoutMs: FACTS_TIMEOUT_MS,
      signal,
      maxBytes: FACTS_MAX_BYTES,
    });
    return parseProcessFacts(stdout, kinds);
  } catch {
    return undefined;
  }
}

/** What the target can tell about process `pid`; empty when nothing could be read. */
export async function processFacts(target: Target, pid: number, kinds: readonly FactKind[], signal?: AbortSignal): Promise<ProcessFacts> {
  if (kinds.length === 0) return {};
  try {
    const facts = target.processFacts ? await target.processFacts(pid, kinds, signal) : await readFactsVia(target.runner, pid, kinds, signal);
    return facts ?? {};
  } catch {
    return {};
  }
}

/**
 * How long each of these sockets has been silent (tcp_info through `ss`, where the target has it
 * and the process shares the runner's network namespace). Sets lastReceiveMs/lastSendMs in place.
 */
export async function addSocketTimes(runner: Runner, sockets: readonly OpenSocket[], signal?: AbortSignal): Promise<void> {
  if (sockets.length === 0) return;
  try {
    const { stdout } = await runner.run(ssArgv(sockets), { timeoutMs: FACTS_TIMEOUT_MS, signal, maxBytes: FACTS_MAX_BYTES });
    const times = parseSsTimes(stdout);
    for (const s of sockets) {
      const t = times.get(s.inode);
      if (t?.lastReceiveMs !== undefined) s.lastReceiveMs = t.lastReceiveMs;
      if (t?.lastSendMs !== undefined) s.lastSendMs = t.lastSendMs;
    }
  } catch {
    /* no ss there, or it failed: the wait is named without how long the line has been silent */
  }
}
