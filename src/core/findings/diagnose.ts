// Findings: plain-language explanations of a dump. Thread rules say what each thread waits in;
// dump rules look across threads (deadlocks, a blocked event loop, finalizers, queue feeders) and
// take over the threads they explain. Rules live in ./findings/, one concept per file; the order
// they run in is ruleOrder.ts.
import { findingFrame, where } from './frames';
import { bounded, clusters, groupIds, groupNames, groupTitle, plural, TITLE_MAX } from './groups';
import type { DiagnoseContext, Stacks, ThreadWait } from './rule';
import { DUMP_RULES, threadRules } from './ruleOrder';
import { refineWait } from './refineWait';
import { SourceLines, type RemoteReader } from './sourceLines';
import type { Finding, Severity, ThreadStack } from '../model';
import { labelThreads, who } from './threadLabel';

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** What each thread waits in, by the thread rules in their order (ruleOrder.ts). */
async function threadWaits(stacks: Stacks, ctx: DiagnoseContext): Promise<Map<ThreadStack, ThreadWait>> {
  const rules = threadRules(stacks.threads, { workerSignals: false });
  const waits = new Map<ThreadStack, ThreadWait>();
  for (const t of stacks.threads) {
    for (const rule of rules) {
      const w = await rule(t, ctx);
      if (w) {
        waits.set(t, await refineWait(t, w, ctx));
        break;
      }
    }
  }
  return waits;
}

/**
 * Explains (source-mapped) stacks: a dump, or anything with its threads. May add notes to frames
 * (a finalizer run by the GC). Source lines of the user's frames without a local copy come from
 * `readRemote` when given (ssh hosts).
 */
export async function diagnose(stacks: Stacks, readRemote?: RemoteReader, facts: ProcessFacts = {}): Promise<Finding[]> {
  const { findings, waits, explained } = await crossThread(stacks, new SourceLines(readRemote), facts);
  const alone = [...waits].filter(([t, w]) => !explained.has(t) && !w.quiet);
  // Threads waiting alike in one place make one finding, not one each.
  for (const group of clusters(
    stacks.threads,
    alone,
    ([t]) => t,
    ([, w]) => `${w.kind}\0${w.phrase}\0${where(w.frame)}`,
  )) {
    const [t, w] = group[0]!;
    const threads = group.map(([x]) => x);
    findings.push({
      severity: w.severity,
      kind: w.kind,
      title: group.length === 1 ? `${who(t)} ${w.phrase} at ${where(w.frame)}` : groupTitle(threads, `${plural(w.phrase)} at ${where(w.frame)}`),
      detail: group.length === 1 ? w.detail : `${w.detail} ${groupNames(threads)}`,
      ...groupIds(threads),
      frame: findingFrame(w.frame),
    });
  }
  return ranked(findings, stacks);
}

/**
 * Only what the rules looking across threads say (deadlocks, a blocked event loop, a finalizer,
 * a queue feeder): sampling, whose threads carry their own waits, shows these beside them.
 */
export async function crossThreadFindings(stacks: Stacks, source: SourceLines, facts: ProcessFacts = {}): Promise<Finding[]> {
  return ranked((await crossThread(stacks, source, facts)).findings, stacks);
}

/** What the rules may ask about the live process behind the stacks (its sockets, its children). */
export type ProcessFacts = Pick<DiagnoseContext, 'process'>;

async function crossThread(stacks: Stacks, source: SourceLines, facts: ProcessFacts) {
  const explained = new Set<ThreadStack>();
  labelThreads(stacks.threads);
  const ctx: DiagnoseContext = { source, ...facts, explained };
  const waits = await threadWaits(stacks, ctx);
  const findings: Finding[] = [];
  for (const rule of DUMP_RULES) {
    const r = await rule(stacks, waits, ctx);
    findings.push(...r.findings);
    for (const t of r.explained) explained.add(t);
  }
  return { findings, waits, explained };
}

/**
 * Most severe first; among equals, findings about a group of threads first (the most threads
 * first), then in thread order (MainThread first). Every title is bounded: it is one row.
 */
function ranked(findings: Finding[], stacks: Stacks): Finding[] {
  const order = new Map(stacks.threads.map((t, i) => [t.id, i]));
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
