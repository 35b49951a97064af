// A StackDump as plain text or Markdown (terminal output, "copy for a bug report").
import type { Frame, StackDump, ThreadStack } from '../model';

export function frameLocation(f: Frame): string {
  if (f.native && !f.line) return f.module ?? (f.file || '?');
  const file = f.file.slice(f.file.lastIndexOf('/') + 1) || f.file;
  return `${file}:${f.line}`;
}

export function threadHeadline(t: ThreadStack): string {
  const bits = [t.active ? 'active' : 'idle'];
  if (t.ownsGil) bits.push('holds the GIL');
  return `Thread ${t.nativeId ?? t.id} (${bits.join(', ')}): "${t.name}"`;
}

export interface TextOptions {
  /** Wrap the user's innermost frame in these (e.g. ANSI bold). */
  highlight?: (s: string) => string;
}

export function dumpToText(d: StackDump, o: TextOptions = {}): string {
  const hl = o.highlight ?? ((s: string) => s);
  const lines = [`Process ${d.pid} · ${d.backend}${d.method ? ` (${d.method})` : ''}${d.pythonVersion ? ` · Python ${d.pythonVersion}` : ''} · ${d.threads.length} thread${d.threads.length === 1 ? '' : 's'} · ${d.takenAt}`];
  for (const n of d.notes ?? []) lines.push(`note: ${n}`);
  for (const f of d.findings) {
    lines.push(`${f.severity}: ${f.title}`);
    if (f.detail) lines.push(`    ${f.detail}`);
  }
  for (const t of d.threads) {
    lines.push('', threadHeadline(t));
    const user = t.frames.find((f) => f.isUserCode);
    for (const f of t.frames) {
      const text = `${f.function} (${f.localFile ? `${f.localFile}:${f.line}` : frameLocation(f)})${f.native ? ' [native]' : ''}${f.note ? ` — ${f.note}` : ''}`;
      lines.push(f === user ? `  ▶ ${hl(text)}` : `    ${text}`);
      for (const l of f.locals ?? []) lines.push(`        ${l.isArg ? 'arg ' : ''}${l.name} = ${l.repr ?? '?'}`);
    }
  }
  return lines.join('\n') + '\n';
}

export function dumpToMarkdown(d: StackDump): string {
  const out = [`### Process ${d.pid} (${d.backend}${d.pythonVersion ? `, Python ${d.pythonVersion}` : ''}) at ${d.takenAt}`, ''];
  for (const f of d.findings) out.push(`> **${f.severity}**: ${f.title}${f.detail ? `\n> ${f.detail}` : ''}`, '');
  for (const t of d.threads) {
    out.push(`**${threadHeadline(t)}**`, '', '```');
    for (const f of t.frames) out.push(`${f.isUserCode ? '▶ ' : '  '}${f.function} (${f.file}:${f.line})${f.native ? ' [native]' : ''}${f.note ? ` — ${f.note}` : ''}`);
    out.push('```', '');
  }
  return out.join('\n');
}

/** The documented JSON contract of `snag dump --json` (stable; see README). */
export function dumpToJson(d: StackDump): unknown {
  return {
    pid: d.pid,
    backend: d.backend,
    ...(d.pythonVersion ? { pythonVersion: d.pythonVersion } : {}),
    ...(d.method ? { method: d.method } : {}),
    takenAt: d.takenAt,
    durationMs: d.durationMs,
    ...(d.notes?.length ? { notes: d.notes } : {}),
    threads: d.threads.map((t) => ({
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
    })),
    findings: d.findings,
  };
}
