// Which sqlite3.connect() made the connection a waiting call runs on, by Python's scopes: the
// connect() assigned to the receiver in the frame's own function, else a module-level one (a
// global), and when the receiver is a parameter of the function, the argument its caller passed
// (the next frame out). Another function's `conn = sqlite3.connect(…)` is another connection.
import { dirname, join } from 'node:path';
import type { Frame } from '../model';
import type { SourceLines } from './sourceLines';

export const USES_SQLITE = /^\s*(import\s+([\w.]+(\s+as\s+\w+)?\s*,\s*)*sqlite3\b|from\s+sqlite3\s+import\b)/m;

/** The text of a call starting at `from` (the index of its opening parenthesis), up to its closing one. */
function callText(lines: string[], row: number, from: number): string {
  let depth = 0;
  let out = '';
  for (let r = row; r < lines.length && r < row + 8; r++) {
    const l = r === row ? lines[r]!.slice(from) : lines[r]!;
    for (const ch of l) {
      out += ch;
      if (ch === '(') depth++;
      else if (ch === ')' && --depth === 0) return out;
    }
    out += ' ';
  }
  return out;
}

/** Top-level arguments of a call's text `( a, b=(1, 2), c )`. */
function callArgs(text: string): string[] {
  const inner = text.slice(1, text.lastIndexOf(')') < 0 ? undefined : text.lastIndexOf(')'));
  const args: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of inner) {
    if ('([{'.includes(ch)) depth++;
    if (')]}'.includes(ch)) depth--;
    if (ch === ',' && depth === 0) {
      args.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) args.push(cur.trim());
  return args;
}

export interface ConnectCall {
  /** The name it is assigned to (`conn`, `self.db`), when it is. */
  name?: string;
  /** The database argument as written (`DB`, `"app.db"`). */
  database?: string;
  timeout?: number;
  line: number;
  /** Made by a function of the user's (`conn = db.open_db(path)`): that call as written. */
  via?: string;
  /** The file of the connect() when it is not the frame's own (the factory's module). */
  file?: string;
  /** Made by `via`, whose code Snag could not read: its timeout is unknown, not the default. */
  opaque?: true;
}

const CONNECT = /(?:([A-Za-z_][\w.]*)\s*=\s*)?(?:\bsqlite3\.|(?<![\w.]))connect\s*(\()/g;

/** The sqlite3.connect() calls of a file (only files that import sqlite3). */
export function connectCalls(lines: string[]): ConnectCall[] {
  const text = lines.join('\n');
  if (!USES_SQLITE.test(text)) return [];
  const calls: ConnectCall[] = [];
  lines.forEach((l, row) => {
    if (l.trim().startsWith('#')) return;
    for (const m of l.matchAll(CONNECT)) {
      if (!/sqlite3\.connect/.test(m[0]) && !/from\s+sqlite3\s+import[^\n]*\bconnect\b/.test(text)) continue;
      const args = callArgs(callText(lines, row, m.index! + m[0].length - 1));
      const kw = args.find((a) => /^timeout\s*=/.test(a));
      const positional = args.filter((a) => !/^\w+\s*=/.test(a));
      const raw = kw ? kw.replace(/^timeout\s*=\s*/, '') : positional[1];
      const timeout = raw !== undefined && /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : undefined;
      const database = positional[0] ?? args.find((a) => /^database\s*=/.test(a))?.replace(/^database\s*=\s*/, '');
      calls.push({ line: row + 1, ...(m[1] ? { name: m[1] } : {}), ...(database ? { database } : {}), ...(timeout !== undefined ? { timeout } : {}) });
    }
  });
  return calls;
}

const DEF = /^(\s*)(?:async\s+)?def\s+\w+\s*\(([^)]*)\)?/;
const indentOf = (l: string) => /^\s*/.exec(l)![0].replace(/\t/g, '        ').length;

/** The row of the `def` enclosing 0-based `row`, or -1 at module level. */
export function enclosingDef(lines: readonly string[], row: number): number {
  let indent = indentOf(lines[row] ?? '');
  for (let i = row - 1; i >= 0; i--) {
    const l = lines[i]!;
    if (!l.trim() || l.trim().startsWith('#')) continue;
    const ind = indentOf(l);
    if (ind >= indent) continue;
    if (DEF.test(l)) return i;
    indent = ind;
    if (ind === 0) return -1;
  }
  return -1;
}

/** The parameter names of the `def` at `row` (a signature over several lines included, bounded). */
function paramsOf(lines: readonly string[], row: number): string[] {
  let text = '';
  for (let i = row; i < lines.length && i < row + 8; i++) {
    text += `${lines[i]} `;
    if (/\)\s*(->[^:]*)?:/.test(lines[i]!)) break;
  }
  const inner = /\(([^]*?)\)\s*(->[^:]*)?:/.exec(text)?.[1] ?? '';
  return inner
    .split(',')
    .map((p) =>
      p
        .replace(/[:=].*$/s, '')
        .replace(/^\*+/, '')
        .trim(),
    )
    .filter(Boolean);
}

/** The positional and keyword arguments of the first call of `fn` on `line`. */
function argumentFor(line: string, fn: string, param: string, index: number): string | undefined {
  const at = new RegExp(`(?<![\\w])${fn.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\(`).exec(line);
  if (!at) return undefined;
  let depth = 0;
  let cur = '';
  const args: string[] = [];
  for (const ch of line.slice(at.index + at[0].length)) {
    if ('([{'.includes(ch)) depth++;
    if (')]}'.includes(ch)) {
      if (depth === 0) break;
      depth--;
    }
    if (ch === ',' && depth === 0) {
      args.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) args.push(cur.trim());
  const kw = args.find((a) => new RegExp(`^${param}\\s*=`).test(a));
  if (kw) return kw.replace(/^\w+\s*=\s*/, '');
  const positional = args.filter((a) => !/^\w+\s*=/.test(a));
  const arg = positional[index];
  return arg && /^[A-Za-z_][\w.]*$/.test(arg) ? arg : undefined;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The last connect() in the body of `def fn` in these lines (what the factory returns), or undefined. */
function connectInDef(lines: string[], fn: string): { call: ConnectCall; params: string[] } | undefined {
  const row = lines.findIndex((l) => new RegExp(`^\\s*(?:async\\s+)?def\\s+${escape(fn)}\\s*\\(`).test(l));
  if (row < 0) return undefined;
  const call = connectCalls(lines)
    .filter((c) => c.line - 1 > row && enclosingDef(lines, c.line - 1) === row)
    .pop();
  return call ? { call, params: paramsOf(lines, row) } : undefined;
}

/**
 * `name = factory(…)` in the function of `frame` above its line, with factory not connect(): the
 * connect() inside the factory (in this file, or in the module beside it that `mod.factory` names),
 * else an opaque connection made by it.
 */
async function madeByFactory(lines: string[], frame: Frame, name: string, def: number, source: SourceLines): Promise<ConnectCall | undefined> {
  const assign = new RegExp(`^\\s*${escape(name)}\\s*=\\s*([A-Za-z_][\\w.]*)\\s*\\(`);
  let row = -1;
  for (let i = Math.min(frame.line - 2, lines.length - 1); i > def; i--) {
    if (assign.test(lines[i]!) && enclosingDef(lines, i) === def) {
      row = i;
      break;
    }
  }
  if (row < 0) return undefined;
  const via = assign.exec(lines[row]!)![1]!;
  if (/(^|\.)connect$/.test(via)) return undefined;
  const parts = via.split('.');
  let fn = parts.pop()!;
  const mod = parts.join('/');
  const here = frame.localFile;
  const beside = (m: string) => (here ? [join(dirname(here), `${m}.py`), join(dirname(here), m, '__init__.py')] : []);
  let files = !mod || mod === 'self' || mod === 'cls' ? [here] : beside(mod);
  // `from db import open_db` (or `from .db import open_db as connect_db`): the factory is the module's.
  const imported = !mod ? importedName(lines, fn) : undefined;
  if (imported) {
    files = beside(imported.module);
    fn = imported.name;
  }
  for (const file of files) {
    const other = file ? (file === here ? lines : await source.file(file)) : undefined;
    const found = other ? connectInDef(other, fn) : undefined;
    if (!found) continue;
    // The factory's database is its parameter: the database is what this call passes for it.
    const { database, ...call } = found.call;
    const param = database ? found.params.filter((p) => p !== 'self' && p !== 'cls').indexOf(database) : -1;
    const passed = param >= 0 ? argumentFor(lines[row]!, via, database!, param) : database;
    return { ...call, ...(passed ? { database: passed } : {}), via, ...(file !== here ? { file } : {}) };
  }
  return { line: row + 1, via, opaque: true };
}

/**
 * The connect() behind `receiver` as the call in `frames[0]` sees it, following parameters out to
 * the callers; undefined when the code does not show it. `frames` are the thread's Python frames,
 * innermost first.
 */
export async function connectionOf(frames: readonly Frame[], receiver: string | undefined, source: SourceLines): Promise<ConnectCall | undefined> {
  let name = receiver;
  for (let k = 0; k < frames.length && name; k++) {
    const f = frames[k]!;
    const lines = await source.lines(f);
    if (!lines) return undefined;
    const calls = connectCalls(lines);
    const def = f.line >= 1 ? enclosingDef(lines, f.line - 1) : -1;
    // An attribute (`self.db`) is set in another method: any connect() assigned to it in the file.
    if (name.includes('.')) return calls.filter((c) => c.name === name).pop();
    const own = calls.filter((c) => c.name === name && c.line <= f.line && enclosingDef(lines, c.line - 1) === def).pop();
    if (own) return own;
    const made = await madeByFactory(lines, f, name, def, source);
    if (made) return made;
    const params = def >= 0 ? paramsOf(lines, def) : [];
    const index = params.indexOf(name);
    if (index >= 0) {
      // The caller's argument for this parameter (`self` not counted in a method called on an object).
      const fn = /def\s+(\w+)/.exec(lines[def]!)![1]!;
      const caller = frames[k + 1];
      const callerLine = caller ? await source.line(caller) : undefined;
      const method = params[0] === 'self' || params[0] === 'cls';
      name = callerLine ? argumentFor(callerLine, fn, name, method ? index - 1 : index) : undefined;
      continue;
    }
    // Not local: a global assigned at module level.
    return calls.filter((c) => c.name === name && enclosingDef(lines, c.line - 1) === -1).pop();
  }
  return undefined;
}

/** Where `from MODULE import NAME [as ALIAS]` in the file brings `local` from: a module beside it (relative or not). */
function importedName(lines: string[], local: string): { module: string; name: string } | undefined {
  for (const l of lines) {
    const m = /^\s*from\s+(\.?[\w.]+)\s+import\s+\(?([^#)]*)/.exec(l);
    if (!m) continue;
    for (const item of m[2]!.split(',')) {
      const [name, alias] = item.trim().split(/\s+as\s+/);
      if ((alias ?? name) === local && name && /^\w+$/.test(name)) return { module: m[1]!.replace(/^\./, '').replace(/\./g, '/'), name };
    }
  }
  return undefined;
}
