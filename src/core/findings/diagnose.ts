// Findings: plain-language explanations of a dump. Thread rules say what each thread waits in;
// dump rules look across threads (deadlocks, a blocked event loop, finalizers, queue feeders) and
// take over the threads they explain. Rules live in ./findings/, one concept per file.
import { asyncioBlocked } from './asyncioBlocked';
import { deadlock } from './deadlock';
import { findingFrame, where } from './frames';
import { gcFinalizer } from './gcFinalizer';
import { bounded, clusters, groupIds, groupNames, groupTitle, plural, TITLE_MAX } from './groups';
import { ioWait } from './ioWait';
import { joinWaitIn } from './joinWait';
import { lockWait } from './lockWait';
import { queueFeeder } from './queueFeeder';
import type { DiagnoseContext, DumpRule, ThreadRule, ThreadWait } from './rule';
import { signalWait } from './signalWait';
import { sleepWait } from './sleepWait';
import { socketWait } from './socketWait';
import { stdinWait } from './stdinWait';
import { SourceLines, type RemoteReader } from './sourceLines';
import type { Finding, Severity, StackDump, ThreadStack } from '../model';

// The wider explanation first: a finalizer or a blocked event loop before the lock it waits for.
const DUMP_RULES: readonly DumpRule[] = [gcFinalizer, asyncioBlocked, queueFeeder, deadlock];
const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/**
 * Worker threads waiting for an Event, a Condition or a queue are idle and get no finding; the
 * main thread waiting so is what holds the program up.
 */
const mainThreadSignalWait: ThreadRule = (t, ctx) => (t.name === 'MainThread' ? signalWait(t, ctx) : Promise.resolve(undefined));

/** What each thread waits in; the first thread rule that recognises it wins (joins before locks). */
async function threadWaits(dump: StackDump, ctx: DiagnoseContext): Promise<Map<ThreadStack, ThreadWait>> {
  const rules: ThreadRule[] = [joinWaitIn(dump.threads), mainThreadSignalWait, stdinWait, socketWait, ioWait, lockWait, sleepWait];
  const waits = new Map<ThreadStack, ThreadWait>();
  for (const t of dump.threads) {
    for (const rule of rules) {
      const w = await rule(t, ctx);
      if (w) {
        waits.set(t, w);
        break;
      }
    }
  }
  return waits;
}

/**
 * Explains a (source-mapped) dump. May add notes to frames (a finalizer run by the GC). Source
 * lines of the user's frames without a local copy come from `readRemote` when given (ssh hosts).
 */
export async function diagnose(dump: StackDump, readRemote?: RemoteReader): Promise<Finding[]> {
  const { findings, waits, explained } = await crossThread(dump, new SourceLines(readRemote));
  const alone = [...waits].filter(([t]) => !explained.has(t));
  // Threads waiting alike in one place make one finding, not one each.
  for (const group of clusters(
    dump.threads,
    alone,
    ([t]) => t,
    ([, w]) => `${w.kind}\0${w.phrase}\0${where(w.frame)}`,
  )) {
    const [t, w] = group[0]!;
    const threads = group.map(([x]) => x);
    findings.push({
      severity: w.severity,
      kind: w.kind,
      title: group.length === 1 ? `${t.name} ${w.phrase} at ${where(w.frame)}` : groupTitle(threads, `${plural(w.phrase)} at ${where(w.frame)}`),
      detail: group.length === 1 ? w.detail : `${w.detail} ${groupNames(threads)}`,
      ...groupIds(threads),
      frame: findingFrame(w.frame),
    });
  }
  return ranked(findings, dump);
}

/**
 * Only what the rules looking across threads say (deadlocks, a blocked event loop, a finalizer,
 * a queue feeder): sampling, whose threads carry their own waits, shows these beside them.
 */
export async function crossThreadFindings(dump: StackDump, source: SourceLines): Promise<Finding[]> {
  return ranked((await crossThread(dump, source)).findings, dump);
}

async function crossThread(dump: StackDump, source: SourceLines) {
  const ctx: DiagnoseContext = { source };
  const waits = await threadWaits(dump, ctx);
  const findings: Finding[] = [];
  const explained = new Set<ThreadStack>();
  for (const rule of DUMP_RULES) {
    const r = await rule(dump, waits, ctx);
    findings.push(...r.findings);
    for (const t of r.explained) explained.add(t);
  }
  return { findings, waits, explained };
}

/**
 * Most severe first; among equals, findings about a group of threads first (the most threads
 * first), then in thread order (MainThread first). Every title is bounded: it is one row.
 */
function ranked(findings: Finding[], dump: StackDump): Finding[] {
  const order = new Map(dump.threads.map((t, i) => [t.id, i]));
  const size = (f: Finding) => f.threadIds?.length ?? 1;
  return findings
    .map((f, i) => ({ f, i }))
    .sort(
      (a, b) =>
        RANK[a.f.severity] - RANK[b.f.severity] ||
        size(b.f) - size(a.f) ||
        (order.get(a.f.threadId ?? -1) ?? 1e9) - (order.get(b.f.threadId ?? -1) ?? 1e9) ||
        a.i - b.i,
    )
    .map(({ f }) => (f.title.length > TITLE_MAX ? { ...f, title: bounded(f.title) } : f));
}
