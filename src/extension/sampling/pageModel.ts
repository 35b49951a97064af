// Snapshot → the view model the Sampling page draws (protocol.ts), computed once on the host from
// the whole profile: thread rows with their headline, the tables of all threads (the profile's) or
// of one thread (counted here from all its stacks, as shares of its own samples), the flame graph.
import { describeThread, shortLocation } from '../../core/format/profileText';
import type { FunctionStat, LineStat, Profile } from '../../core/model';
import { hotRows } from '../../core/sampling/profileRows';
import { flameGraph, openAt, type DocumentOf } from './flameGraph';
import type { FindingRow, HotRow, HotTables, ProfileModel, SamplingModel, ThreadChoice, ThreadRow } from './protocol';
import type { SamplingSnapshot } from './samplingController';

/** Rows sent per table (the page shows the top 200 of them after its filter). */
export const MAX_ROWS = 300;

export interface PageModelInput {
  snapshot: SamplingSnapshot;
  /** The thread the page asked the tables and the flame graph for. */
  thread: ThreadChoice;
  startAgain: boolean;
  documentOf: DocumentOf;
}

export function samplingPageModel({ snapshot: s, thread, startAgain, documentOf }: PageModelInput): SamplingModel {
  const model: SamplingModel = { state: s.state, rateHz: s.rateHz, startAgain };
  const title = s.title ?? s.profile?.label;
  if (title !== undefined) model.title = title;
  if (s.error !== undefined) model.error = s.error;
  if (s.profile) model.profile = profileModel(s.profile, thread, documentOf);
  return model;
}

export function profileModel(p: Profile, thread: ThreadChoice, documentOf: DocumentOf): ProfileModel {
  // A thread picked in an earlier session is not in this one: all of them.
  const choice = thread !== 'all' && p.threads.some((t) => t.id === thread) ? thread : 'all';
  return {
    samples: p.samples,
    facts: `${p.samples} thread-samples · ${(p.durationMs / 1000).toFixed(1)} s · ${p.method}`,
    notes: p.notes ?? [],
    findings: (p.findings ?? []).map(findingRow),
    threads: p.threads.map((t): ThreadRow => {
      const row: ThreadRow = { id: t.id, name: t.name, status: t.status, headline: describeThread(t, p.stuckAfterSeconds), samples: t.samples };
      const open = t.at && openAt(documentOf, t.at);
      if (open) row.open = open;
      return row;
    }),
    tables: hotTables(p, choice, documentOf),
    flame: flameGraph(p, choice, documentOf),
  };
}

function findingRow(f: NonNullable<Profile['findings']>[number]): FindingRow {
  const row: FindingRow = { key: `${f.kind}|${f.threadId}|${f.title}`, severity: f.severity, title: f.title };
  if (f.detail) row.detail = f.detail;
  if (f.frame?.localFile && f.frame.line > 0) row.open = { file: f.frame.localFile, line: f.frame.line };
  return row;
}

/**
 * One thread's shares are of its own samples: with all threads, an idle helper would halve every
 * share of the thread the user is looking at.
 */
export function hotTables(p: Profile, thread: ThreadChoice, documentOf: DocumentOf): HotTables {
  const { samples, cpuSamples, lines, functions } =
    thread === 'all'
      ? { samples: p.samples, cpuSamples: p.activeSamples, lines: p.lines, functions: p.functions }
      : hotRows(
          p.frames,
          p.stacks.filter((s) => s.threadId === thread),
          p.activeStacks?.filter((s) => s.threadId === thread),
        );
  const row = (r: LineStat | FunctionStat, key: string, location: string): HotRow => {
    const share = (n: number) => (samples > 0 ? (100 * n) / samples : 0);
    const document = documentOf(r);
    const tooltip = r.localFile ?? (document ? `${r.file} (read-only from the host)` : `${r.file} (not in this workspace)`);
    const out: HotRow = {
      key,
      function: r.function,
      file: r.file,
      location,
      tooltip,
      isUserCode: r.isUserCode,
      ownPct: share(r.own),
      totalPct: share(r.total),
    };
    if (cpuSamples !== undefined) {
      const cpuShare = (n: number | undefined) => (cpuSamples > 0 ? (100 * (n ?? 0)) / cpuSamples : 0);
      out.cpuOwnPct = cpuShare(r.cpuOwn);
      out.cpuTotalPct = cpuShare(r.cpuTotal);
    }
    const open = openAt(documentOf, r);
    if (open) out.open = open;
    return out;
  };
  return {
    thread,
    samples,
    ...(cpuSamples !== undefined ? { cpuSamples } : {}),
    lines: lines.slice(0, MAX_ROWS).map((r) => row(r, `${r.function}|${r.file}|${r.line}`, shortLocation(r.file, r.line))),
    // By function and file only: the line shown (the one seen most) may change while the row stays.
    functions: functions.slice(0, MAX_ROWS).map((r) => row(r, `${r.function}|${r.file}`, shortLocation(r.file, 0))),
  };
}
