// A thread waiting for an SQLite database lock: another connection holds a write transaction, so
// this one's execute()/commit() retries in SQLite's busy handler (it sleeps between tries) until
// its busy timeout, then fails with "database is locked". With native frames the busy handler is
// in the stack; without them the line is an execute()/commit() on sqlite3, and the thread is idle.
import type { Frame, ThreadStack } from '../model';
import { anchorFrame, callSite, nativeInner } from './frames';
import type { DiagnoseContext, ThreadRule, ThreadWait } from './rule';
import { basename } from 'node:path';
import { type ConnectCall, connectCalls, connectionOf, USES_SQLITE } from './sqliteConnection';
import type { SourceLines } from './sourceLines';

export { connectCalls };

const NATIVE_BUSY = /^(sqlite3InvokeBusyHandler|sqliteDefaultBusyCallback|btreeInvokeBusyHandler|unixSleep)$/;
/** SQLite code running a statement: in its frames but not in the busy handler, the query runs (or reads the disk). */
const NATIVE_SQLITE = /^(sqlite3_step|sqlite3VdbeExec|pysqlite_step|stmt_step|_pysqlite_query_execute|pysqlite_connection_commit(_impl)?)$/;
const SQL_CALL = /([A-Za-z_][\w.]*(?:\(\))?)\.(execute|executemany|executescript|commit)\s*\(/;
/** SQLite's Python module waits this long when connect() is given no timeout. */
export const DEFAULT_BUSY_TIMEOUT_S = 5;

export interface BusyTimeout {
  /** Unknown where the connection comes from code Snag cannot read (`how: 'unknown'`). */
  seconds?: number;
  /** Where it comes from: connect(timeout=…), PRAGMA busy_timeout, connect() without one (the default), or a factory Snag cannot read. */
  how: 'connect' | 'pragma' | 'default' | 'unknown';
  /** 1-based line of the connect() call or the PRAGMA (or of the factory's call). */
  line?: number;
  /** The user's function that made the connection (`db.open_db`), and its file when another module's. */
  via?: string;
  file?: string;
}

/** The busy timeout a connect() sets. */
function fromConnect(c: ConnectCall): BusyTimeout {
  const made = { line: c.line, ...(c.via ? { via: c.via } : {}), ...(c.file ? { file: c.file } : {}) };
  if (c.opaque) return { how: 'unknown', ...made };
  return c.timeout !== undefined ? { seconds: c.timeout, how: 'connect', ...made } : { seconds: DEFAULT_BUSY_TIMEOUT_S, how: 'default', ...made };
}

/** The connection a call's receiver is: `conn.execute` → conn; `self.db.cursor().execute` → self.db. */
export function receiverOf(line: string): string | undefined {
  const m = SQL_CALL.exec(line);
  return m ? m[1]!.replace(/\.cursor\(\)$/, '') : undefined;
}

/** The busy timeout the waiting call runs under, as the code shows it. */
export async function busyTimeout(frames: readonly Frame[], receiver: string | undefined, source: SourceLines): Promise<BusyTimeout | undefined> {
  // The receiver's own connect(), by the scopes of the code (its function, a global, the caller's argument).
  const python = frames.filter((f) => !f.native);
  const own = await connectionOf(python, receiver, source);
  if (own) {
    const lines = (await source.lines(python[0]!)) ?? [];
    const pragma = lines.findIndex((l) => /busy_timeout\s*=?\s*\d+/i.test(l) && /PRAGMA/i.test(l));
    if (pragma < 0) return fromConnect(own);
  }
  for (const f of frames) {
    if (f.native) continue;
    const lines = await source.lines(f);
    if (!lines) continue;
    const pragma = lines.findIndex((l) => /busy_timeout\s*=?\s*\d+/i.test(l) && /PRAGMA/i.test(l));
    if (pragma >= 0) return { seconds: Number(/busy_timeout\s*=?\s*(\d+)/i.exec(lines[pragma]!)![1]) / 1000, how: 'pragma', line: pragma + 1 };
    const calls = connectCalls(lines);
    if (calls.length === 0) continue;
    // The connect() nearest above the call that assigns its receiver, else the nearest above it in
    // the file (the connection made for this function), else the only one.
    const above = calls.filter((c) => c.line <= f.line);
    // A connect() assigned to another name is another connection: not this one's timeout.
    const mayBe = (c: ConnectCall) => !receiver || !c.name || c.name === receiver;
    const near = above.filter(mayBe);
    const pick =
      [...above].reverse().find((c) => receiver && c.name === receiver) ??
      calls.find((c) => receiver && c.name === receiver) ??
      (near.length ? near[near.length - 1] : undefined) ??
      (calls.length === 1 && mayBe(calls[0]!) ? calls[0] : undefined);
    if (!pick) continue;
    return fromConnect(pick);
  }
  return undefined;
}

export function timeoutText(t: BusyTimeout | undefined): string {
  if (!t) return `busy timeout ${DEFAULT_BUSY_TIMEOUT_S} s unless connect() set another`;
  if (t.seconds === undefined) return `busy timeout as ${t.via ?? 'its connect()'}() sets it`;
  return `busy timeout ${Number.isInteger(t.seconds) ? t.seconds : t.seconds.toFixed(1)} s${t.how === 'default' ? ', the default' : ''}`;
}

/** Is the thread in SQLite, and how sure: the busy handler seen natively, or an idle execute()/commit() on sqlite3. */
async function inSqlite(t: ThreadStack, ctx: DiagnoseContext): Promise<{ line?: string; native: boolean } | undefined> {
  const natives = nativeInner(t);
  if (natives.some((f) => NATIVE_BUSY.test(f.function))) {
    const caller = callSite(t);
    return { native: true, line: caller ? await ctx.source.line(caller) : undefined };
  }
  if (natives.length > 0 || t.active) return undefined;
  const caller = callSite(t);
  if (!caller) return undefined;
  const line = await ctx.source.line(caller);
  if (!line || !SQL_CALL.test(line)) return undefined;
  const lines = await ctx.source.lines(caller);
  const sqliteLocal = caller.locals?.some((l) => /^<sqlite3\.(Connection|Cursor)\b/.test(l.repr ?? ''));
  if (!sqliteLocal && !(lines && USES_SQLITE.test(lines.join('\n'))) && !/sqlite/i.test(caller.file)) return undefined;
  return { native: false, line };
}

export const SQLITE_KIND = 'sqlite-lock';

export const sqliteWait: ThreadRule = async (t: ThreadStack, ctx: DiagnoseContext): Promise<ThreadWait | undefined> => {
  const natives = nativeInner(t);
  if (natives.some((f) => NATIVE_SQLITE.test(f.function)) && !natives.some((f) => NATIVE_BUSY.test(f.function))) return undefined;
  const hit = await inSqlite(t, ctx);
  if (!hit) return undefined;
  const receiver = hit.line ? receiverOf(hit.line) : undefined;
  const timeout = await busyTimeout(
    t.frames.filter((f) => f.isUserCode || !f.native),
    receiver,
    ctx.source,
  );
  const call = hit.line ? (/\.(execute|executemany|executescript|commit)\s*\(/.exec(hit.line)?.[1] ?? 'execute') : 'execute';
  const seen = hit.native
    ? 'Its native frames are in SQLite’s busy handler (sqlite3InvokeBusyHandler): it sleeps and retries'
    : `It is idle in ${call}() on an sqlite3 connection: SQLite retries in its busy handler`;
  const at = (t: BusyTimeout) => `line ${t.line}${t.file ? ` of ${basename(t.file)}` : ''}${t.via ? `, in ${t.via}()` : ''}`;
  const until =
    timeout?.how === 'unknown'
      ? `until the busy timeout that ${timeout.via}() (called at line ${timeout.line}) gives the connection (Snag could not read its code; 5 s if it passes none)`
      : timeout?.how === 'default'
        ? `until the busy timeout (connect() at ${at(timeout)} gives none: ${DEFAULT_BUSY_TIMEOUT_S} s by default)`
        : timeout
          ? `until the busy timeout of ${timeoutText(timeout).replace(/^busy timeout /, '')} (${timeout.how === 'pragma' ? 'PRAGMA busy_timeout' : 'connect(timeout=…)'} at ${at(timeout)})`
          : `until its busy timeout (${DEFAULT_BUSY_TIMEOUT_S} s unless connect(timeout=…) set another)`;
  return {
    kind: SQLITE_KIND,
    severity: 'warning',
    phrase: `waits for the SQLite database lock (${timeoutText(timeout)})`,
    call: `the SQLite database lock (${call})`,
    detail: `${seen} ${until}, then raises "database is locked". Another connection holds a write transaction on this database: SQLite lets one writer at a time. Commit or roll back that transaction before it waits on anything else; keep write transactions short.`,
    frame: anchorFrame(t),
    ...(receiver ? { lock: receiver } : {}),
  };
};
