// A Profile as plain text (terminal output of `snag sample`) and the share arithmetic the
// views share: a percentage of all thread-samples, one decimal.
import type { Profile } from '../model';
import { describeThread } from '../sampler';

export function share(count: number, samples: number): number {
  return samples > 0 ? Math.round((count / samples) * 1000) / 10 : 0;
}

export function shortLocation(file: string, line: number): string {
  const base = file.slice(file.lastIndexOf('/') + 1) || file || '?';
  return line ? `${base}:${line}` : base;
}

export function profileToText(p: Profile, o: { top?: number } = {}): string {
  const top = o.top ?? 15;
  const secs = (p.durationMs / 1000).toFixed(1);
  const out = [`Sampled pid ${p.pid} for ${secs} s at ${p.rateHz} Hz with ${p.method}: ${p.samples} samples over ${p.threads.length} thread${p.threads.length === 1 ? '' : 's'}`];
  for (const n of p.notes ?? []) out.push(`note: ${n}`);
  out.push('', 'Threads:');
  for (const t of p.threads) out.push(`  ${t.status === 'stuck' ? '■' : t.status === 'busy' ? '▶' : '·'} ${describeThread(t, p.stuckAfterSeconds)}  (${t.samples} samples)`);
  const table = (title: string, rows: { function: string; file: string; line: number; localFile?: string; own: number; total: number }[]) => {
    out.push('', `${title}:`, '   %Own  %Total  Function (file:line)');
    for (const r of rows.slice(0, top)) {
      out.push(`  ${share(r.own, p.samples).toFixed(1).padStart(5)}  ${share(r.total, p.samples).toFixed(1).padStart(6)}  ${r.function} (${r.localFile ? `${r.localFile}:${r.line}` : shortLocation(r.file, r.line)})`);
    }
  };
  table('Hot lines', p.lines);
  table('Functions', p.functions);
  return out.join('\n') + '\n';
}
