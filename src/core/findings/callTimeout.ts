// Whether a socket wait has a timeout, said from what the code shows: the user's call on the stack
// (`urlopen(url)` with no `timeout=` has none: its default is the socket module's, which is none)
// or the `timeout` local of the library frame that took it. No hedging where the code tells.
import type { Frame, ThreadStack } from '../model';
import { where } from './frames';
import { local, objectRef } from './localsOf';
import type { DiagnoseContext, ThreadWait } from './rule';
import { rawSocketTimeout } from './socketTimeout';

/** Calls whose timeout defaults to none: the name as the line spells it, and the fix. */
const CALLS: ReadonlyArray<{ call: RegExp; name: string }> = [
  { call: /\burlopen\s*\(/, name: 'urlopen' },
  { call: /\brequests\.(get|post|put|patch|delete|head|options|request)\s*\(/, name: 'requests' },
  { call: /\bcreate_connection\s*\(/, name: 'socket.create_connection' },
  { call: /\bHTTPS?Connection\s*\(/, name: 'HTTPConnection' },
];

/** Frames whose `timeout` local is the one the read got (urllib's opener, http.client's connection). */
const TIMEOUT_FRAMES = /^(OpenerDirector\.open|open|urlopen|create_connection|HTTPConnection\.__init__)$/;

/** The call text from `line` on, joined with the next lines until its parentheses close (at most 8 lines). */
async function callText(f: Frame, ctx: DiagnoseContext, start: number): Promise<string> {
  const lines = (await ctx.source.lines(f)) ?? [];
  let text = '';
  let depth = 0;
  for (let i = f.line - 1; i < Math.min(lines.length, f.line + 7); i++) {
    const l = (i === f.line - 1 ? lines[i]!.slice(start) : lines[i]!).replace(/#.*$/, '');
    text += `${l}\n`;
    for (const ch of l) depth += ch === '(' ? 1 : ch === ')' ? -1 : 0;
    if (depth <= 0) break;
  }
  return text;
}

export type TimeoutFact = { timeout: 'none' | 'set'; how: string; fix?: string } | undefined;

/** What the code on the stack says about the wait's timeout. */
export async function timeoutFromCode(t: ThreadStack, ctx: DiagnoseContext): Promise<TimeoutFact> {
  // The user's call on the stack, as the source spells it; or, for a read of a response, the call
  // that opened it: the `with urlopen(…) as r:` around the line, or `r = urlopen(…)` above it.
  for (const f of t.frames) {
    if (!f.isUserCode || f.native) continue;
    const line = await ctx.source.line(f);
    if (!line) continue;
    const here = await callOn(f, f.line, line, ctx);
    if (here) return here;
    const opened = await openingCall(f, line, ctx);
    if (opened) return opened;
  }
  // A raw socket the user's code made and never gave a timeout (`sock.recv(1024)`).
  const raw = await rawSocketTimeout(t, ctx);
  if (raw) return raw;
  // A library frame that received the timeout: None or the "use the default" sentinel is none.
  for (const f of t.frames) {
    if (f.native || !TIMEOUT_FRAMES.test(f.function)) continue;
    const repr = local(f, 'timeout')?.repr;
    if (repr === undefined) continue;
    if (repr === 'None' || objectRef(repr)?.type === 'object')
      return { timeout: 'none', how: `${f.function} got timeout=${repr === 'None' ? 'None' : 'the default (none)'}` };
    if (/^\d+(\.\d+)?$/.test(repr)) return { timeout: 'set', how: `${f.function} got timeout=${repr}` };
  }
  return undefined;
}

/** A known call on line `n` of `f`'s file (`text`), with or without timeout=. */
async function callOn(f: Frame, n: number, text: string, ctx: DiagnoseContext): Promise<TimeoutFact> {
  for (const c of CALLS) {
    const m = c.call.exec(text);
    if (!m) continue;
    const at = { ...f, line: n };
    const call = await callText(at, ctx, m.index);
    if (/\btimeout\s*=/.test(call)) return { timeout: 'set', how: `${c.name}(…, timeout=…) at ${where(at)}` };
    return { timeout: 'none', how: `${c.name}(…) at ${where(at)} passes no timeout=`, fix: `Pass timeout= to ${c.name}(…) at ${where(at)}.` };
  }
  return undefined;
}

const indent = (l: string) => /^\s*/.exec(l)![0].length;

/** Up to this many lines above the frame's line are looked at for the call that opened what it reads. */
const LOOK_BACK = 30;

async function openingCall(f: Frame, line: string, ctx: DiagnoseContext): Promise<TimeoutFact> {
  const lines = (await ctx.source.lines(f)) ?? [];
  const names = new Set(
    [...line.matchAll(/\b([A-Za-z_]\w*)\s*\.\s*(read|readline|readlines|readinto|read1|iter_content|iter_lines|json|text|content|getresponse)\b/g)].map(
      (m) => m[1]!,
    ),
  );
  let level = indent(line);
  for (let i = f.line - 2; i >= Math.max(0, f.line - 1 - LOOK_BACK); i--) {
    const l = lines[i] ?? '';
    if (!l.trim() || l.trim().startsWith('#')) continue;
    const ind = indent(l);
    // `with X(…) as r:` enclosing the line (less indented), whose `r` the line reads.
    const w = ind < level ? /^\s*(?:async\s+)?with\s+(.*?)\s+as\s+([A-Za-z_]\w*)\s*:/.exec(l) : undefined;
    if (w && names.has(w[2]!)) return callOn(f, i + 1, l, ctx);
    // `r = X(…)` at the same level or above, whose `r` the line reads.
    const a = /^\s*([A-Za-z_]\w*)\s*=\s*(.*)$/.exec(l);
    if (a && names.has(a[1]!) && ind <= level) return callOn(f, i + 1, l, ctx);
    if (ind < level) level = ind;
    if (/^\s*(async\s+)?def\s/.test(l)) break; // the function's start
  }
  return undefined;
}

/** A socket wait whose timeout the native frames could not tell, told by the code. */
export async function withCallTimeout(t: ThreadStack, w: ThreadWait, ctx: DiagnoseContext): Promise<ThreadWait> {
  if (w.kind !== 'socket-wait' || /timeout/.test(w.phrase)) return w;
  const fact = await timeoutFromCode(t, ctx);
  if (!fact) return w;
  if (fact.timeout === 'set')
    return {
      ...w,
      severity: 'info',
      phrase: `${w.phrase} (a timeout is set)`,
      call: `${w.call} (a timeout is set)`,
      detail: `A timeout is set (${fact.how}), so this read will end; a long timeout, or a retry loop around it, still stalls the program.`,
    };
  return {
    ...w,
    severity: 'warning',
    phrase: `${w.phrase} with no timeout`,
    call: `${w.call} with no timeout`,
    detail: `The read has no timeout (${fact.how}), so it waits forever if the peer never answers. ${fact.fix ?? 'Set one: sock.settimeout(…), requests.get(…, timeout=…), urllib.request.urlopen(…, timeout=…).'}`,
  };
}
