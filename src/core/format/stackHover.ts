// The hover over a marked line: each thread standing there with its whole stack, every frame a
// command link that opens it. Markdown text only (the extension wraps it in a trusted
// MarkdownString allowing just the open-frame command), so plain Node tests it.
import type { Finding, Frame, StackDump } from '../model';
import { frameLocation } from './dumpText';
import type { DocumentOf, LineMark } from './frameMarks';
import { escapeMarkdown, markdownWithCode } from '../text/markdown';

/** The argument the open-frame command receives from a link or a tree item. */
export interface FrameLink {
  /** A local path, or the URI of a read-only remote document (`snag-remote://host/path`). */
  file: string;
  line: number;
}

export interface HoverOptions {
  /** Command id the frame links run (`snag.openFrame`). */
  openCommand: string;
  /** Frames listed per thread before "… N more". */
  maxFrames?: number;
  /** Threads shown per line before "… N more threads". */
  maxThreads?: number;
  /** Thread id → seconds at the same place over earlier dumps. */
  waited?: ReadonlyMap<number, number>;
  /** The document a frame link opens (default: its local file); frames without one are not links. */
  documentOf?: DocumentOf;
}

// The Markdown escaping lives with the other untrusted-text helpers; re-exported for the views.
export { escapeMarkdown, markdownWithCode } from '../text/markdown';

/** A finding as hover or tooltip Markdown: its sentence in bold, the explanation below. */
export function findingMarkdown(f: Finding): string {
  const icon = f.severity === 'error' ? '⛔' : f.severity === 'warning' ? '⚠️' : 'ℹ️';
  return `${icon} **${escapeMarkdown(f.title)}**${f.detail ? `\n\n${markdownWithCode(f.detail)}` : ''}`;
}

export function commandLink(command: string, arg: FrameLink): string {
  // Parentheses and quotes would end the Markdown link early: encode them too.
  const query = encodeURIComponent(JSON.stringify([arg])).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `command:${command}?${query}`;
}

function frameLine(f: Frame, here: boolean, o: HoverOptions): string {
  const name = escapeMarkdown(f.function || '?');
  const where = frameLocation(f).replace(/`/g, "'");
  const doc = f.line > 0 ? (o.documentOf ?? ((x: Frame) => x.localFile))(f) : undefined;
  // The title is escaped like text: a path ending in a backslash or holding `" )[x](command:…)` must
  // not end the title and the link early and start a link of its own.
  const title = escapeMarkdown(`${f.localFile ?? f.file}:${f.line}`);
  const label = doc ? `[${name}](${commandLink(o.openCommand, { file: doc, line: f.line })} "${title}")` : name;
  const tags = [
    f.native ? '_native_' : '',
    f.origin && f.origin !== 'user' && !f.native ? `_${f.origin}_` : '',
    f.note ? `_${escapeMarkdown(f.note)}_` : '',
  ].filter(Boolean);
  const text = `${label} — \`${where}\`${tags.length ? ` · ${tags.join(' · ')}` : ''}`;
  return here ? `- **${text}** ◀` : `- ${text}`;
}

export function hoverMarkdown(dump: StackDump, mark: LineMark, o: HoverOptions): string {
  const maxFrames = o.maxFrames ?? 30;
  const maxThreads = o.maxThreads ?? 4;
  const out: string[] = [];
  for (const at of mark.threads.slice(0, maxThreads)) {
    const t = at.thread;
    const state = [t.active ? 'active' : 'idle', t.ownsGil ? 'holds the GIL' : '', `thread ${t.nativeId ?? t.id}`].filter(Boolean).join(' · ');
    const w = o.waited?.get(t.id);
    out.push(`**⏸ ${escapeMarkdown(t.name)}** — ${state}${w !== undefined && w >= 1 ? ` · same place for ≥ ${Math.round(w)} s` : ''}`, '');
    // What the finding rules say about this thread comes before its stack: it is the answer.
    for (const f of dump.findings.filter((x) => x.threadId === t.id)) out.push(findingMarkdown(f), '');
    const frames = t.frames.slice(0, maxFrames);
    for (let i = 0; i < frames.length; i++) out.push(frameLine(frames[i]!, i === at.frameIndex, o));
    if (t.frames.length > maxFrames) out.push(`- … ${t.frames.length - maxFrames} more frames`);
    out.push('');
  }
  if (mark.threads.length > maxThreads) out.push(`… ${mark.threads.length - maxThreads} more threads at this line`, '');
  out.push(
    `_pid ${dump.pid} · ${dump.backend}${dump.method ? ` (${escapeMarkdown(dump.method)})` : ''} · ${dump.takenAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}_`,
  );
  return out.join('\n');
}
