// Kill Snag in the middle of a dump: `node dist/cli.js dump PID` (py-spy, then `--backend gdb`) is
// sent SIGKILL or SIGTERM (alternating) at a random moment, 0–300 ms after it started (gdb: 0–2 s,
// it attaches later). Then, for up to 2 s after the kill: is the target left stopped (state T),
// still traced, and is the tool (py-spy/gdb) still running as an orphan? A SIGKILLed Snag cannot
// run its guard, so there the counts say what the tools do on their own; on SIGTERM the CLI aborts
// its run and the guard resumes the target, so every count there should be 0. After each round the
// bench kills what is left of the tool and resumes the target, so rounds are independent.
// Random moments mostly miss the tool's own run (py-spy's is ~10 ms of a ~200 ms CLI run), so two
// aimed modes kill 0–15 ms (py-spy) or 0–400 ms (gdb) after the tool appeared. A tool still running
// 2 s after the kill is followed 10 s more, to tell an orphan that finishes from one that hangs.
// Writes the key `killMidDump` of bench/results.json. SNAG_KILL_ROUNDS, SNAG_KILL_GDB_ROUNDS,
// SNAG_KILL_AIMED_ROUNDS, SNAG_KILL_AIMED_GDB_ROUNDS change the counts (200, 100, 80, 40: about
// 5 minutes on 2 cores); SNAG_KILL_SEED replays a run's kill moments.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { round, writeResult } from './support';
import { prng as seededRandom } from '../test/support/randomArgv';
import { heartbeat, killPids, lookAtTarget, resume, sleep, startTickingService, toolsOn } from './watch';
import { CLI, ensureBuilt } from '../test/support/snag';
import { which } from '../test/support/tools';

const ROUNDS = Number(process.env.SNAG_KILL_ROUNDS ?? 200);
const GDB_ROUNDS = Number(process.env.SNAG_KILL_GDB_ROUNDS ?? 100);
const AIMED_ROUNDS = Number(process.env.SNAG_KILL_AIMED_ROUNDS ?? 80);
const AIMED_GDB_ROUNDS = Number(process.env.SNAG_KILL_AIMED_GDB_ROUNDS ?? 40);
const SEED = Number(process.env.SNAG_KILL_SEED ?? Date.now() % 2 ** 31);
/** How long after the kill the target may take to be running again. */
const SETTLE_MS = 2000;
/** A round ends early once the CLI and its tool are gone and the target has run untraced this long. */
const QUIET_MS = 150;
const CLI_EXIT_LIMIT_MS = 10_000;
const ORPHAN_FOLLOW_MS = 10_000;

type Sig = 'SIGKILL' | 'SIGTERM';

interface Counts {
  rounds: number;
  /** The CLI had finished its dump before the kill came. */
  finishedBeforeKill: number;
  /** A py-spy/gdb on the target was running when the kill came (the rounds that test something). */
  killedWhileToolRan: number;
  /** A task in state T 2 s after the kill (then resumed by the bench). */
  leftStopped: number;
  /** Seen in state T at some moment after the kill, whether or not it lasted. */
  stoppedSeen: number;
  /** A task still had a tracer 2 s after the kill. */
  leftTraced: number;
  /** The tool was still running just after the CLI had exited. */
  toolOutlivedCli: number;
  /** The tool was still running 2 s after the kill (then killed by the bench). */
  orphanTools: number;
  /** Of those, still running 10 s later (then killed by the bench); the others ended on their own. */
  orphanToolsAfter12s: number;
  /** The longest an orphaned tool ran after the kill, in ms (12000: until the bench killed it). */
  maxOrphanMs: number;
  /** The CLI was still running 10 s after a SIGTERM (then killed). */
  cliHung: number;
  /** The CLI said its guard found the target stopped and resumed it (SIGTERM: the guard ran). */
  guardResumed: number;
  /** Slowest exit of the CLI after the signal, in ms. */
  maxExitMs: number;
  /** How the CLI ended: `signal SIGKILL`, `exit 0`, `exit 1: <first words>`. */
  endings: Record<string, number>;
}

const newCounts = (): Counts => ({
  rounds: 0,
  finishedBeforeKill: 0,
  killedWhileToolRan: 0,
  leftStopped: 0,
  stoppedSeen: 0,
  leftTraced: 0,
  toolOutlivedCli: 0,
  orphanTools: 0,
  orphanToolsAfter12s: 0,
  maxOrphanMs: 0,
  cliHung: 0,
  guardResumed: 0,
  maxExitMs: 0,
  endings: {},
});

/** Resolves once a py-spy/gdb works on `pid` (polled every 2 ms), or when `stop` settles first. */
async function toolStarted(pid: number, stop: Promise<void>): Promise<void> {
  let stopped = false;
  void stop.then(() => (stopped = true));
  while (!stopped && !toolsOn(pid).length) await sleep(2);
}

/**
 * One CLI run killed with `sig` after `delayMs`: from its start, or (`aimed`) from the moment its
 * tool appeared, so that the kill lands while the tool attaches or reads.
 */
async function oneRound(c: Counts, pid: number, args: string[], sig: Sig, delayMs: number, aimed: boolean, log: (s: string) => void): Promise<void> {
  c.rounds++;
  const child = spawn(process.execPath, [CLI, 'dump', String(pid), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_BACKTRACE: '0' },
  });
  let stderr = '';
  child.stdout.resume();
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  let exited: { code: number | null; signal: NodeJS.Signals | null; at: number } | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal, at: Date.now() };
      resolve();
    }),
  );
  if (aimed) await Promise.race([toolStarted(pid, exit), sleep(CLI_EXIT_LIMIT_MS)]);
  await Promise.race([sleep(delayMs), exit]);
  const killedAt = Date.now();
  if (exited) c.finishedBeforeKill++;
  else {
    if (toolsOn(pid).length) c.killedWhileToolRan++;
    child.kill(sig);
  }
  await Promise.race([exit, sleep(CLI_EXIT_LIMIT_MS)]);
  if (!exited) {
    c.cliHung++;
    log(`  CLI still running ${CLI_EXIT_LIMIT_MS} ms after ${sig}: killed`);
    child.kill('SIGKILL');
    await exit;
  }
  const ended = exited!;
  c.maxExitMs = Math.max(c.maxExitMs, ended.at - killedAt);
  const ending = ended.signal
    ? `signal ${ended.signal}`
    : `exit ${ended.code}${
        ended.code
          ? `: ${stderr
              .trim()
              .replace(/^snag: /, '')
              .slice(0, 60)}`
          : ''
      }`;
  c.endings[ending] = (c.endings[ending] ?? 0) + 1;
  if (/Snag resumed it/.test(stderr)) c.guardResumed++;
  if (toolsOn(pid).length) c.toolOutlivedCli++;

  let look = lookAtTarget(pid);
  let tools = toolsOn(pid);
  let quietSince: number | undefined;
  let seenStopped = false;
  while (Date.now() - killedAt < SETTLE_MS) {
    look = lookAtTarget(pid);
    tools = toolsOn(pid);
    seenStopped ||= look.stopped;
    const quiet = !tools.length && !look.stopped && !look.traced;
    quietSince = quiet ? (quietSince ?? Date.now()) : undefined;
    if (quietSince !== undefined && Date.now() - quietSince >= QUIET_MS) break;
    await sleep(10);
  }
  if (seenStopped) c.stoppedSeen++;
  if (look.stopped) c.leftStopped++;
  if (look.traced) c.leftTraced++;
  const at2s = [look.stopped && 'left stopped', look.traced && 'still traced', tools.length && `tool ${tools.join(',')} still running`]
    .filter(Boolean)
    .join(', ');
  if (at2s) log(`  round ${c.rounds} (${sig} ${aimed ? 'aimed ' : ''}at ${Math.round(delayMs)} ms): ${at2s} 2 s after the kill; CLI ${ending}`);
  if (tools.length) {
    c.orphanTools++;
    // How long does an orphan go on alone? Followed for 10 s more before the bench ends it.
    while (toolsOn(pid).length && Date.now() - killedAt < SETTLE_MS + ORPHAN_FOLLOW_MS) await sleep(20);
    tools = toolsOn(pid);
    if (tools.length) c.orphanToolsAfter12s++;
    c.maxOrphanMs = Math.max(c.maxOrphanMs, Date.now() - killedAt);
    const after = lookAtTarget(pid);
    log(
      `    ${tools.length ? `tool still running ${ORPHAN_FOLLOW_MS / 1000} s later: killed` : `tool ended on its own ${Date.now() - killedAt} ms after the kill`}; target then ${after.stopped ? 'stopped' : after.traced ? 'traced' : 'running'}`,
    );
  }
  // Independent rounds: end the tool, resume the target, and wait until it runs untraced.
  killPids(tools);
  for (let i = 0; i < 200; i++) {
    resume(pid);
    const l = lookAtTarget(pid);
    if (!l.stopped && !l.traced && !toolsOn(pid).length) break;
    await sleep(10);
  }
}

async function main(): Promise<void> {
  const pyspy = which('py-spy');
  if (!pyspy) throw new Error('py-spy is not installed (run bash scripts/setup.sh core)');
  const gdb = which('gdb');
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'snag-kill-'));
  const hbFile = join(dir, 'heartbeat');
  const prog = await startTickingService(hbFile);
  const began = Date.now();
  const random = seededRandom(SEED);
  try {
    const pid = prog.pid;
    const firstTick = heartbeat(hbFile);
    const pyspyArgs = ['--pyspy', pyspy];
    const gdbArgs = gdb ? ['--backend', 'gdb', '--gdb', gdb] : undefined;
    // Random moments (as asked) mostly miss the tool: py-spy runs ~10 ms of a ~200 ms CLI run. The
    // aimed modes kill within the tool's own run, which is where a target can be left stopped.
    const modes: Array<{ name: string; args: string[]; rounds: number; maxDelayMs: number; aimed: boolean }> = [
      { name: 'pyspy', args: pyspyArgs, rounds: ROUNDS, maxDelayMs: 300, aimed: false },
      ...(gdbArgs ? [{ name: 'gdb', args: gdbArgs, rounds: GDB_ROUNDS, maxDelayMs: 2000, aimed: false }] : []),
      { name: 'pyspyAimed', args: pyspyArgs, rounds: AIMED_ROUNDS, maxDelayMs: 15, aimed: true },
      ...(gdbArgs ? [{ name: 'gdbAimed', args: gdbArgs, rounds: AIMED_GDB_ROUNDS, maxDelayMs: 400, aimed: true }] : []),
    ];
    const results: Record<string, Record<Sig, Counts>> = {};
    const modeSeconds: Record<string, number> = {};
    for (const m of modes) {
      const modeBegan = Date.now();
      console.log(`${m.name}: ${m.rounds} rounds, kill at 0–${m.maxDelayMs} ms after ${m.aimed ? 'the tool appeared' : 'the CLI started'}`);
      const bySig: Record<Sig, Counts> = { SIGKILL: newCounts(), SIGTERM: newCounts() };
      for (let i = 0; i < m.rounds; i++) {
        const sig: Sig = i % 2 ? 'SIGTERM' : 'SIGKILL';
        await oneRound(bySig[sig], pid, m.args, sig, random() * m.maxDelayMs, m.aimed, console.log);
      }
      results[m.name] = bySig;
      modeSeconds[m.name] = round((Date.now() - modeBegan) / 1000, 1);
    }
    const lastTick = heartbeat(hbFile);
    const all = Object.values(results).flatMap((r) => [r.SIGKILL, r.SIGTERM]);
    const total = (k: 'leftStopped' | 'orphanTools' | 'leftTraced' | 'rounds') => all.reduce((a, c) => a + c[k], 0);
    const bySignal = (sig: Sig) => {
      const cs = Object.values(results).map((r) => r[sig]);
      const sum = (k: keyof Counts) => cs.reduce((a, c) => a + (c[k] as number), 0);
      return {
        rounds: sum('rounds'),
        killedWhileToolRan: sum('killedWhileToolRan'),
        leftStopped: sum('leftStopped'),
        stoppedSeen: sum('stoppedSeen'),
        leftTraced: sum('leftTraced'),
        toolOutlivedCli: sum('toolOutlivedCli'),
        orphanTools: sum('orphanTools'),
        orphanToolsAfter12s: sum('orphanToolsAfter12s'),
        cliHung: sum('cliHung'),
        guardResumed: sum('guardResumed'),
      };
    };
    const result = {
      what: `node dist/cli.js dump PID killed (SIGKILL / SIGTERM alternating) at a random moment: py-spy 0–300 ms, gdb 0–2 s after start (aimed: py-spy 0–15 ms, gdb 0–400 ms after the tool appeared); counts 2 s after each kill`,
      rounds: total('rounds'),
      seed: SEED,
      leftStopped: total('leftStopped'),
      orphanTools: total('orphanTools'),
      leftTraced: total('leftTraced'),
      sigterm: bySignal('SIGTERM'),
      sigkill: bySignal('SIGKILL'),
      byBackend: results,
      heartbeatAdvanced: lastTick > firstTick,
      wallSeconds: round((Date.now() - began) / 1000, 1),
      modeSeconds,
      measuredAt: new Date().toISOString(),
      machine: { cpus: cpus().length, loadAverage1m: round(loadavg()[0]!) },
    };
    writeResult('killMidDump', result);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    prog.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
