// A StackDump as plain text or Markdown (terminal output, "copy for a bug report").
import { standsAt } from '../stacks/standing';
import type { Frame, StackDump, ThreadStack } from '../model';
import { codeBlock, escapeMarkdown, markdownWithCode } from '../text/markdown';
import { escapeQuotes, safeText } from '../text/safeText';
import { tasksToJson, tasksToMarkdown, tasksToText } from '../asyncio/taskText';
import { GROUP_STACKS_DIFFER, groupHeadline, groupThreads } from '../stacks/threadGroups';

/** `worker.py:17` (or the native module): for display, so neutralised (see core/text/safeText). */
export function frameLocation(f: Frame): string {
  if (f.native && !f.line) return safeText(f.module ?? (f.file || '?'));
  const file = f.file.slice(f.file.lastIndexOf('/') + 1) || f.file;
  return `${safeText(file)}:${f.line}`;
}

/** `Thread 42 (idle): "MainThread"`; `name` renders the thread's name (escapeMarkdown in Markdown). */
export function threadHeadline(t: ThreadStack, name: (s: string) => string = safeText): string {
  const bits = [t.active ? 'active' : 'idle'];
  if (t.ownsGil) bits.push('holds the GIL');
  return `Thread ${t.nativeId ?? t.id} (${bits.join(', ')}): "${name(escapeQuotes(t.name))}"`;
}

/** `Process 42`; an opened dump that names no process: `Dump from crash.txt`. */
export function dumpSubject(d: StackDump): string {
  if (d.pid || !d.opened) return `Process ${d.pid}`;
  return `Dump from ${d.opened.name}`;
}

export interface TextOptions {
  /** Wrap the user's innermost frame in these (e.g. ANSI bold). */
  highlight?: (s: string) => string;
}

export function dumpToText(d: StackDump, o: TextOptions = {}): string {
  const hl = o.highlight ?? ((s: string) => s);
  // Each line is one Snag made around fields from the target, and each is neutralised on its own
  // at the end: a name holding a newline cannot start a line ("Thread 1 (active): …") of its own,
  // nor an ESC drive the terminal. The highlight's own escapes go on after that.
  const highlighted = new Set<number>();
  const reader = `${d.backend}${d.method ? ` (${d.method})` : ''}${d.pythonVersion ? ` · Python ${d.pythonVersion}` : ''}`;
  const lines = [`${dumpSubject(d)} · ${reader} · ${d.threads.length} thread${d.threads.length === 1 ? '' : 's'} · ${d.takenAt}`];
  for (const n of d.notes ?? []) lines.push(`note: ${n}`);
  for (const f of d.findings) {
    lines.push(`${f.severity}: ${f.title}`);
    if (f.detail) lines.push(`    ${f.detail}`);
  }
  // Threads waiting alike in one place are one block: their stack once, their names listed.
  for (const g of groupThreads(d.threads)) {
    const t = g.threads[0]!;
    lines.push('', g.threads.length > 1 ? groupHeadline(g) : threadHeadline(t));
    // Where the thread stands (the one rule: markers and findings point at the same frame).
    const user = standsAt(t.frames);
    for (const f of t.frames.slice(0, g.shared)) {
      const at = f.localFile ? `${f.localFile}:${f.line}` : frameLocation(f);
      const text = `${f.function} (${at})${f.native ? ' [native]' : ''}${f.note ? ` — ${f.note}` : ''}`;
      if (f === user) highlighted.add(lines.length);
      lines.push(f === user ? `  ▶ ${text}` : `    ${text}`);
      for (const l of f.locals ?? []) lines.push(`        ${l.isArg ? 'arg ' : ''}${l.name} = ${l.repr ?? '?'}`);
    }
    if (!g.sameStack) lines.push(`    ${GROUP_STACKS_DIFFER}`);
  }
  // Children a finding followed a wait into: what each waits in (`snag dump <pid>` shows its stacks).
  for (const c of d.children ?? []) {
    lines.push(
      '',
      `Child process ${c.pid} · ${c.threads.length} thread${c.threads.length === 1 ? '' : 's'}${c.pythonVersion ? ` · Python ${c.pythonVersion}` : ''}`,
    );
    for (const f of c.findings) lines.push(`  ${f.severity}: ${f.title}`);
    for (const g of c.children ?? []) lines.push(`  child process ${g.pid}: ${g.findings[0]?.title ?? 'no finding'}`);
  }
  const text = lines.map((l, i) => (highlighted.has(i) ? `  ▶ ${hl(safeText(l.slice(4)))}` : safeText(l))).join('\n') + '\n';
  // The asyncio tasks after the threads (their lines neutralised by tasksToText).
  return d.asyncio ? `${text}\n${tasksToText(d.asyncio, { highlight: o.highlight }).join('\n')}\n` : text;
}

export function dumpToMarkdown(d: StackDump): string {
  // Pasted into a bug report, the names must stay names: escaped outside code, and each stack in a
  // fence longer than any backtick run in it, so a function named ``` cannot close it early.
  const out = [
    `### ${escapeMarkdown(dumpSubject(d))} (${d.backend}${d.pythonVersion ? `, Python ${escapeMarkdown(d.pythonVersion)}` : ''}) at ${d.takenAt}`,
    '',
  ];
  for (const f of d.findings) out.push(`> **${f.severity}**: ${markdownWithCode(f.title)}${f.detail ? `\n> ${markdownWithCode(f.detail)}` : ''}`, '');
  for (const g of groupThreads(d.threads)) {
    const t = g.threads[0]!;
    const frames = t.frames
      .slice(0, g.shared)
      .map((f) => `${f.isUserCode ? '▶ ' : '  '}${f.function} (${f.file}:${f.line})${f.native ? ' [native]' : ''}${f.note ? ` — ${f.note}` : ''}`);
    if (!g.sameStack) frames.push(`  ${GROUP_STACKS_DIFFER}`);
    out.push(`**${g.threads.length > 1 ? groupHeadline(g, escapeMarkdown) : threadHeadline(t, escapeMarkdown)}**`, '', codeBlock(frames), '');
  }
  if (d.asyncio) out.push(tasksToMarkdown(d.asyncio));
  return out.join('\n');
}

/** The documented JSON contract of `snag dump --json` (stable; see README). */
export function dumpToJson(d: StackDump): unknown {
  return {
    pid: d.pid,
    backend: d.backend,
    ...(d.pythonVersion ? { pythonVersion: d.pythonVersion } : {}),
    ...(d.method ? { method: d.method } : {}),
    ...(d.opened ? { opened: d.opened } : {}),
    takenAt: d.takenAt,
    durationMs: d.durationMs,
    ...(d.notes?.length ? { notes: d.notes } : {}),
    threads: d.threads.map(threadToJson),
    findings: d.findings,
    ...(d.children?.length ? { children: d.children.map(dumpToJson) } : {}),
    ...(d.asyncio ? { asyncio: tasksToJson(d.asyncio) } : {}),
  };
}

/** One thread of `snag dump --json` (dumpToJson's `threads`; written one by one by dumpJsonStream.ts). */
export function threadToJson(t: ThreadStack): unknown {
  return {
    id: t.id,
    ...(t.nativeId !== undefined ? { nativeId: t.nativeId } : {}),
    name: t.name,
    active: t.active,
    ownsGil: t.ownsGil,
    frames: t.frames.map((f) => ({
      function: f.function,
      file: f.file,
      line: f.line,
      native: f.native,
      ...(f.module ? { module: f.module } : {}),
      ...(f.localFile ? { localFile: f.localFile } : {}),
      isUserCode: f.isUserCode,
      ...(f.origin ? { origin: f.origin } : {}),
      ...(f.mapping ? { mapping: f.mapping } : {}),
      ...(f.locals ? { locals: f.locals } : {}),
      ...(f.note ? { note: f.note } : {}),
    })),
  };
}
