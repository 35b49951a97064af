// Who holds the SQLite lock a thread waits for: a thread whose code, on the way to where it stands,
// began a write (BEGIN, INSERT, UPDATE, DELETE…) on a connection to the same database and has not
// committed or rolled back since. SQLite's lock has no owner a dump could show, but the code does.
import type { Finding, Frame, ThreadStack } from '../model';
import { anchorFrame, findingFrame, where } from './frames';
import type { DumpRule, DumpRuleResult, ThreadWait } from './rule';
import type { SourceLines } from './sourceLines';
import { connectionOf, enclosingDef } from './sqliteConnection';
import { connectCalls, receiverOf, SQLITE_KIND } from './sqliteWait';
import { who } from './threadLabel';

const WRITE_SQL = /\.(execute|executemany|executescript)\s*\(\s*[rbuf]*("""|'''|"|')\s*(BEGIN|INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|SAVEPOINT)\b/i;
const END_SQL = /\.(execute|executescript)\s*\(\s*[rbuf]*("""|'''|"|')\s*(COMMIT|END|ROLLBACK)\b|\.(commit|rollback|close)\s*\(/i;
/** Lines read above a frame's line for the function it is in. */
const SCAN_MAX = 400;

export interface OpenTransaction {
  frame: Frame;
  /** 1-based line of the statement that began writing. */
  line: number;
  /** The statement as written, trimmed for the detail. */
  statement: string;
  /** The connection as the source names it. */
  connection?: string;
  /** Its database argument (`DB`, `"app.db"`), when its connect() is in the file. */
  database?: string;
}

function indentOf(line: string): number {
  return /^\s*/.exec(line)![0].replace(/\t/g, '        ').length;
}

/**
 * Write transactions a thread's code left open on the way to where it stands: in each of its
 * user frames, the last write statement of the function above the current line, with no commit,
 * rollback or close after it. `skip`: the frame that waits (its own call is not held yet).
 */
export async function openTransactions(t: ThreadStack, source: SourceLines, skip?: Frame): Promise<OpenTransaction[]> {
  const open: OpenTransaction[] = [];
  for (const f of t.frames) {
    if (f.native || !f.isUserCode || f === skip) continue;
    const lines = await source.lines(f);
    if (!lines || !lines[f.line - 1]) continue;
    // The function's lines above the current one, without the bodies of functions defined inside
    // it (or, at module level, of the module's functions): those do not run on the way here.
    const def = enclosingDef(lines, f.line - 1);
    const rows: number[] = [];
    let nested: number | undefined;
    for (let i = Math.max(def + 1, f.line - 1 - SCAN_MAX); i <= f.line - 2; i++) {
      const l = lines[i]!;
      if (!l.trim() || l.trim().startsWith('#')) continue;
      const ind = indentOf(l);
      if (nested !== undefined && ind > nested) continue;
      nested = /^\s*(async\s+)?def\s|^\s*class\s/.test(l) ? ind : undefined;
      if (nested === undefined) rows.push(i);
    }
    for (const i of rows.reverse()) {
      const l = lines[i]!;
      if (END_SQL.test(l)) break;
      if (!WRITE_SQL.test(l)) continue;
      const connection = receiverOf(l);
      const python = t.frames.filter((x) => !x.native);
      const connect =
        (await connectionOf(python.slice(python.indexOf(f)), connection, source)) ??
        connectCalls(lines)
          .filter((c) => c.name === connection)
          .pop();
      open.push({
        frame: f,
        line: i + 1,
        statement: statementText(l),
        ...(connection ? { connection } : {}),
        ...(connect?.database ? { database: connect.database } : {}),
      });
      break;
    }
  }
  return open;
}

/** The database a waiting thread's call uses, when the code shows its connect() (by scope: sqliteConnection.ts). */
async function waitingDatabase(t: ThreadStack, w: ThreadWait, source: SourceLines): Promise<string | undefined> {
  const f = w.frame;
  if (!f || !w.lock) return undefined;
  const python = t.frames.filter((x) => !x.native);
  const from = python.indexOf(f);
  return (await connectionOf(from < 0 ? [f] : python.slice(from), w.lock, source))?.database;
}

export const sqliteHolder: DumpRule = async (stacks, waits, ctx): Promise<DumpRuleResult> => {
  const waiting = stacks.threads.filter((t) => waits.get(t)?.kind === SQLITE_KIND);
  if (waiting.length === 0) return { findings: [], explained: [] };
  const findings: Finding[] = [];
  const explained: ThreadStack[] = [];
  const open = new Map<ThreadStack, OpenTransaction[]>();
  for (const t of stacks.threads)
    open.set(
      t,
      await openTransactions(
        t,
        ctx.source,
        // A thread waiting for the lock has not got it at its own line; one waiting for anything else may hold it there.
        waits.get(t)?.kind === SQLITE_KIND ? t.frames.find((f) => f === waits.get(t)?.frame) : undefined,
      ),
    );
  for (const t of waiting) {
    const w = waits.get(t)!;
    const db = await waitingDatabase(t, w, ctx.source);
    const holders = stacks.threads
      .map((h) => ({ h, tx: open.get(h)!.find((x) => !db || !x.database || x.database === db) }))
      .filter((x): x is { h: ThreadStack; tx: OpenTransaction } => !!x.tx);
    if (holders.length === 0) continue;
    const { h, tx } = holders[0]!;
    const hw = waits.get(h);
    const hWhere = hw?.frame ?? anchorFrame(h);
    const self = h === t;
    // With no wait of its own told, only a running holder "runs"; an idle one waits on something there.
    const now = self ? '' : ` ${who(h)} ${hw ? hw.phrase : h.active ? 'runs' : 'waits'} at ${where(hWhere)}, still inside that transaction.`;
    findings.push({
      severity: self ? 'error' : 'warning',
      kind: SQLITE_KIND,
      title: self
        ? `${who(t)} ${w.phrase} at ${where(w.frame)}, held by its own other connection: it waits for itself`
        : `${who(t)} ${w.phrase} at ${where(w.frame)}, held by ${who(h)}`,
      detail: `${self ? who(t) : h.name} began writing at line ${tx.line} (in ${tx.frame.function}: ${tx.statement}) on ${tx.connection ?? 'a connection'}${tx.database ? ` (connected to ${tx.database})` : ''} and has not committed.${now} ${w.detail.replace(/ Another connection holds[^.]*\.[^.]*\./, '')} Fix: ${self ? 'use one connection per thread for this database, or commit the first before writing with the second' : `commit (or roll back) in ${who(h)} before it waits; keep write transactions short`}.`,
      threadId: t.id,
      frame: findingFrame(w.frame),
    });
    explained.push(t);
  }
  return { findings, explained };
};

/** A source line as quoted in a detail: its trailing comment left off (a `#` inside quotes stays), at most 80 characters. */
function statementText(line: string): string {
  let quote: string | undefined;
  let end = line.length;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') {
      end = i;
      break;
    }
  }
  const code = line.slice(0, end).trim();
  return code.length > 80 ? `${code.slice(0, 79)}…` : code;
}
