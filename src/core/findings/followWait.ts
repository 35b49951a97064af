// "MainThread waits for a thread to finish" is where a person starts, not the answer: this rule
// follows the wait — a join to the joined thread, a future to the worker running its task, a queue
// or Event to the threads that hold it (or to nobody), a child's exit or pipe into the child
// process's own dump — and reports the end of the chain as the cause, naming both ends:
// "MainThread waits for child 4242 (python worker.py), which waits 41 s for 10.0.3.7:443 to answer".
import type { Finding, Frame, Severity, StackDump, ThreadStack } from '../model';
import type { ChildDump } from './processView';
import { anchorFrame, clipName, findingFrame, isFrame, where } from './frames';
import { TITLE_MAX } from './groups';
import { hasLocals, withLocalsFrom } from './localsOf';
import { signalHandlerOf } from './signalHandlers';
import type { DumpRule, DumpRuleResult, ThreadWait } from './rule';
import { waitTarget, type WaitTarget } from './waitTargets';
import { who } from './threadLabel';

/** Hops followed before the chain is cut (a chain is rarely longer; a cycle is a deadlock's business). */
const MAX_HOPS = 6;
const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
const worse = (a: Severity, b: Severity): Severity => (RANK[a] <= RANK[b] ? a : b);

/** Waits worth following: the kinds that wait for another party. */
const FOLLOWED = new Set(['join-wait', 'signal-wait', 'read-wait']);

/** Where the chain ends. */
interface End {
  /**
   * `thread`: the last thread followed waits in something no rule follows further; `clause` follows
   * "which" ("waits in a socket read with no timeout at worker.py:9 (fetch)"). `other`: the wait is
   * for something that is not a thread of this process; `clause` follows "waits for" ("child 4242
   * (python w.py), which …", "an item from a queue, but no other thread is left to put to it").
   */
  kind: 'thread' | 'other';
  clause: string;
  frame?: Frame;
  severity: Severity;
  /** The one change that fixes it, or what to look at. */
  fix: string;
  /** A sentence for the detail. */
  hop?: string;
}

interface Hop {
  thread: ThreadStack;
  as: string;
  how: string;
}

/** `python worker.py` from `/usr/bin/python3 -u /srv/app/worker.py --fast`, bounded. */
export function shortCommand(command: string): string {
  const words = command.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return '?';
  const exe = words[0]!.slice(words[0]!.lastIndexOf('/') + 1).replace(/^(python)\d+(\.\d+)?$/, '$1');
  // The program and what it runs (a script, `-m module`, `-c`), its other arguments left out.
  const rest = words.slice(1).filter((w) => w !== '-u' && !/^-[BEsSOqX]+$/.test(w));
  const runs = rest[0] === '-m' || rest[0] === '-c' ? rest.slice(0, 2) : rest.slice(0, 1);
  const args = runs.map((w) => (w.includes('/') && !w.startsWith('-') ? w.slice(w.lastIndexOf('/') + 1) : w));
  return clipName([exe, ...args].join(' ') + (rest.length > runs.length ? ' …' : ''), 40);
}

/** A child as the end of a chain: its own top finding, said of the child ("which waits …"). */
function childEnd(c: ChildDump, among: string): End {
  const name = `child ${c.pid} (${shortCommand(c.command)})${among}`;
  const d = c.dump;
  if (!d)
    return {
      kind: 'other',
      clause: `${name}, which could not be read (${c.error ?? 'unknown error'})`,
      severity: 'info',
      fix: `Dump process ${c.pid} to see where it waits.`,
    };
  const top = d.findings[0];
  // Its stdin is a pipe this process still holds open: a child reading its input to the end waits for this process to close it.
  const reader = d.threads.find((t) => t.id === top?.threadId) ?? d.threads.find((t) => t.name === 'MainThread' || t.nativeId === c.pid) ?? d.threads[0];
  if (c.stdinFromParent && (top ? top.kind === 'stdin-wait' : reader && !reader.active)) {
    const frame = reader ? anchorFrame(reader) : undefined;
    const fix =
      "The child's standard input is a pipe whose write end the parent still holds open: a child that reads its input to the end (sys.stdin.read(), a loop over stdin) waits for end of file, which comes only when the parent closes it, while the parent waits for the child. Close it once the input is written (p.stdin.close()), or pass the input with p.communicate(input=…), which writes it, closes stdin and reads the output.";
    // The child's own finding says the same from its side.
    if (top) d.findings[0] = { ...top, title: `${top.title}, a pipe its parent holds open (p.stdin not closed)`, detail: fix };
    return {
      kind: 'other',
      clause: `${name}, which ${top ? 'reads' : 'may be reading'} its stdin from a pipe this process holds open (p.stdin not closed)${frame ? ` at ${where(frame)}` : ''}`,
      frame,
      severity: 'warning',
      fix,
    };
  }
  if (top) {
    const thread = d.threads.find((t) => t.id === top.threadId);
    const rest = thread && top.title.startsWith(`${who(thread)} `) ? top.title.slice(thread.name.length + 1) : undefined;
    // Its main thread's wait is the child's own (py-spy may not know the name of a fresh child's main thread).
    const main = thread && (thread.name === 'MainThread' || thread.nativeId === c.pid);
    const clause = rest && main ? `${name}, which ${rest}` : `${name}, where ${top.title}`;
    const frame = top.frame
      ? ({
          function: '',
          file: top.frame.file,
          line: top.frame.line,
          native: false,
          isUserCode: true,
          ...(top.frame.localFile ? { localFile: top.frame.localFile } : {}),
        } as Frame)
      : undefined;
    return { kind: 'other', clause, frame, severity: top.severity, fix: top.detail ?? '' };
  }
  const at = d.threads[0] ? anchorFrame(d.threads[0]) : undefined;
  return { kind: 'other', clause: `${name}, which stands at ${where(at)}`, severity: 'info', frame: at, fix: `See the stacks of process ${c.pid}.` };
}

/** The children a wait for "a child process" can mean: not multiprocessing's own helpers. */
function relevantChildren(dumps: readonly ChildDump[]): ChildDump[] {
  return dumps.filter((c) => !/multiprocessing\.(resource_tracker|forkserver|semaphore_tracker)/.test(c.command));
}

const atExit = (f: Frame) => isFrame(f, 'multiprocessing/queues.py', 'Queue._finalize_join') || isFrame(f, 'multiprocessing/util.py', '_exit_function');

export const followWait: DumpRule = async (stacks, waits, ctx): Promise<DumpRuleResult> => {
  const findings: Finding[] = [];
  const explained = new Set<ThreadStack>();
  // A process exiting while its queue feeder flushes is queueFeeder's to explain.
  const origins = stacks.threads.filter((t) => FOLLOWED.has(waits.get(t)?.kind ?? '') && !t.frames.some(atExit));
  if (origins.length === 0) return { findings, explained: [] };
  // Locals tell which thread a join waits for, which threads hold a queue: the dump's, or a second read's.
  let all = stacks.threads;
  if (!hasLocals(all)) {
    const read = await ctx.process?.locals().catch(() => undefined);
    if (read) all = withLocalsFrom(all, read);
  }
  const original = new Map(all.map((t, i) => [t, stacks.threads[i]!]));
  const own = (t: ThreadStack) => waits.get(original.get(t) ?? t);
  const lineOf = async (t: ThreadStack) => {
    const user = t.frames.find((f) => f.isUserCode && !f.native);
    return user ? ctx.source.line(user) : undefined;
  };

  /** A thread no rule follows further, as the end of the chain. */
  const threadEnd = (t: ThreadStack): End => {
    const w = own(t);
    // A thread an earlier rule explained (a deadlock, a finalizer): that finding is the cause, said once.
    if (w && ctx.explained?.has(original.get(t) ?? t))
      return {
        kind: 'thread',
        clause: `${w.phrase} at ${where(w.frame)}`,
        frame: w.frame,
        severity: 'info',
        fix: `The finding about ${who(t)} above is the cause; fix that and this wait ends.`,
      };
    if (w) return { kind: 'thread', clause: `${w.phrase} at ${where(w.frame)}`, frame: w.frame, severity: w.severity, fix: w.detail };
    const at = anchorFrame(t);
    if (t.active)
      return {
        kind: 'thread',
        clause: `is still running, at ${where(at)}`,
        frame: at,
        severity: 'info',
        fix: `${who(t)} has not finished: it is busy, not waiting.`,
      };
    return { kind: 'thread', clause: `stands at ${where(at)}`, frame: at, severity: 'info', fix: `See where ${who(t)} waits.` };
  };

  /** What `t` waits for (`target`), followed to the end: the threads passed through and the end. */
  const chase = async (t: ThreadStack, target: WaitTarget, seen: Set<ThreadStack>): Promise<{ path: Hop[]; end: End } | undefined> => {
    switch (target.kind) {
      case 'thread': {
        const x = target.thread;
        const hop: Hop = { thread: x, as: target.as, how: target.how };
        if (seen.has(x) || seen.size >= MAX_HOPS) return { path: [hop], end: threadEnd(x) };
        seen.add(x);
        const next = waitTarget(x, own(x), all, await lineOf(x), own);
        const further = next ? await chase(x, next, seen) : undefined;
        return further ? { path: [hop, ...further.path], end: further.end } : { path: [hop], end: threadEnd(x) };
      }
      case 'threads': {
        // Every one of them waits for something nobody will do: that is the cause, said once.
        const nexts = await Promise.all(target.threads.map(async (o) => waitTarget(o, own(o), all, await lineOf(o), own)));
        const first = nexts[0];
        if (first?.kind === 'nobody' && nexts.every((n) => n?.kind === 'nobody' && n.title === first.title)) {
          const at = anchorFrame(target.threads[0]!);
          return {
            path: [],
            end: {
              kind: 'other',
              clause: `${target.as}, one of ${target.threads.length}, and each waits for ${first.title} at ${where(at)}`,
              frame: at,
              severity: 'warning',
              fix: first.fix,
              hop: `${who(t)} waits for ${target.as}: ${target.threads.map(who).join(', ')}; each waits for ${first.what}, and ${first.why}.`,
            },
          };
        }
        const listed = target.threads.slice(0, 3).map((o) => `${who(o)} (${own(o)?.phrase ?? 'at'} ${where(anchorFrame(o))})`);
        const more = target.threads.length > 3 ? ` and ${target.threads.length - 3} more` : '';
        return {
          path: [],
          end: {
            kind: 'other',
            clause: `${target.as}, one of ${target.threads.length}: ${listed.join(', ')}${more}`,
            frame: anchorFrame(target.threads[0]!),
            severity: 'info',
            fix: target.threads.every((o) => ctx.explained?.has(original.get(o) ?? o))
              ? 'The finding about them above is the cause; fix that and this wait ends.'
              : hasLocals(all)
                ? 'Which of them it is cannot be told from the stacks.'
                : 'Which of them it is cannot be told without the locals: `snag dump --locals` matches the objects the threads share.',
          },
        };
      }
      case 'nobody': {
        // The main thread runs the program's signal handlers: one that sets what it waits for ends the wait.
        const handler = t.name === 'MainThread' ? await signalHandlerOf(t, ctx.source) : undefined;
        if (handler)
          return {
            path: [],
            end: {
              kind: 'other',
              clause: `${target.what}, which a ${handler.signal} handler (installed at ${handler.at}) can end: a service at rest`,
              frame: anchorFrame(t),
              severity: 'info',
              fix: `Nothing is stuck if the program is a service waiting to be told to stop: the ${handler.signal} handler it installs at ${handler.at} runs in the main thread and can set what it waits for. If it should be working, ${target.why}.`,
              hop: `${who(t)} waits for ${target.what}, and the program installs a ${handler.signal} handler.`,
            },
          };
        return {
          path: [],
          end: {
            kind: 'other',
            clause: `${target.title} at ${where(anchorFrame(t))}`,
            frame: anchorFrame(t),
            severity: 'warning',
            fix: target.fix,
            hop: `${who(t)} waits for ${target.what}; ${target.why}.`,
          },
        };
      }
      case 'children': {
        const kids = await ctx.process?.children().catch(() => undefined);
        if (!kids) return undefined;
        if (kids.total === 0) {
          return {
            path: [],
            end: {
              kind: 'other',
              clause: `a child process ${target.what}, but it has no child process left`,
              severity: 'warning',
              fix: target.fix,
              hop: `${who(t)} waits for a child process ${target.what}, but the process has no children: they exited, or the wait is for a process that is not its child.`,
            },
          };
        }
        const relevant = relevantChildren(kids.dumps);
        if (relevant.length === 0) return undefined;
        // Among several children, the stuck one is the answer.
        const stuck = relevant.filter((c) => c.dump?.findings.some((f) => f.severity !== 'info'));
        const pick = relevant.length === 1 ? relevant[0] : stuck.length === 1 ? stuck[0] : undefined;
        if (pick) {
          const end = childEnd(pick, relevant.length > 1 ? `, the stuck one of its ${kids.total} children` : '');
          return {
            path: [],
            end: {
              ...end,
              fix: `${end.fix} ${target.fix}`,
              hop: `${who(t)} waits for child process ${pick.pid} (${shortCommand(pick.command)}) ${target.what}.`,
            },
          };
        }
        const listed = relevant.slice(0, 3).map((c) => `${c.pid} (${shortCommand(c.command)})`);
        return {
          path: [],
          end: {
            kind: 'other',
            clause: `a child process ${target.what}, one of its ${kids.total} children: ${listed.join(', ')}${relevant.length > 3 ? ` and ${relevant.length - 3} more` : ''}`,
            severity: 'info',
            fix: `Each child's own findings are in the dump of its children. ${target.fix}`,
          },
        };
      }
    }
  };

  for (const origin of origins) {
    // A thread an earlier rule explained (a starved pool's worker) has its finding already.
    if (explained.has(origin) || ctx.explained?.has(origin)) continue;
    const w = waits.get(origin)!;
    const t = all[stacks.threads.indexOf(origin)]!;
    const target = waitTarget(t, w, all, await lineOf(t), own);
    if (!target) continue;
    const chain = await chase(t, target, new Set([t]));
    if (!chain) continue;
    findings.push(chainFinding(origin, w, chain.path, chain.end));
    explained.add(origin);
    for (const h of chain.path) explained.add(original.get(h.thread) ?? h.thread);
  }
  return { findings, explained: [...explained] };
};

function chainFinding(origin: ThreadStack, w: ThreadWait, path: readonly Hop[], end: End): Finding {
  let title = `${who(origin)} waits for `;
  if (path.length === 0) {
    title += end.clause;
  } else {
    title += path[0]!.as;
    // Long chains keep their two ends and the last hop before the end.
    const mids = path.slice(1);
    if (mids.length > 2) title += ', …';
    for (const h of mids.slice(-2)) title += `, which waits for ${who(h.thread)}`;
    title += end.kind === 'thread' ? `, which ${end.clause}` : `, which waits for ${end.clause}`;
  }
  // A long chain keeps its sentence and gives up the place of the cause (the finding's frame points there).
  let place = '';
  const at = / at (\S+:\d+ \([^)]*\))$/.exec(title);
  if (title.length > TITLE_MAX && at) {
    title = title.slice(0, at.index);
    place = `The cause is at ${at[1]}. `;
  }
  const hops = [...path.map((h, i) => `${i === 0 ? who(origin) : path[i - 1]!.thread.name} waits for ${h.as} (${h.how}).`), ...(end.hop ? [end.hop] : [])];
  const severity = worse(end.severity, w.severity);
  return {
    severity,
    kind: w.kind,
    title,
    detail: `${place}${hops.join(' ')} ${who(origin)} waits at ${where(w.frame)}. ${end.fix}`.replace(/\s+/g, ' ').trim(),
    threadId: origin.id,
    frame: findingFrame(end.frame ?? w.frame),
  };
}

/** The dumps of children the rules looked at, for the dump's own record (--json `children`). */
export function childDumpsOf(children: readonly ChildDump[]): StackDump[] {
  return children.flatMap((c) => (c.dump ? [c.dump] : []));
}
