// A Profile as plain text (terminal output of `snag sample`), the thread headlines every view
// shows, and the share arithmetic they use: a percentage of all thread-samples, one decimal.
import type { Profile, ThreadProfile } from '../model';
import { DEFAULT_STUCK_AFTER_SECONDS } from '../sampling/sampler';
import { safeText } from '../text/safeText';

export function share(count: number, samples: number): number {
  return samples > 0 ? Math.round((count / samples) * 1000) / 10 : 0;
}

/** `worker.py:17`, for display: neutralised (see core/text/safeText). */
export function shortLocation(file: string, line: number): string {
  const base = safeText(file.slice(file.lastIndexOf('/') + 1) || file || '?');
  return line ? `${base}:${line}` : base;
}

/**
 * "MainThread stuck for 41 s at fetch_reply (worker.py:17) — waits in a socket read with no
 * timeout": the sampling view's headline, with what the wait is when a finding rule knows it.
 */
export function describeThread(t: ThreadProfile, stuckAfterSeconds = DEFAULT_STUCK_AFTER_SECONDS): string {
  // Names from the target are neutralised: the headline is shown in the terminal, the status bar and the view.
  const name = safeText(t.name);
  const at = t.at ? ` at ${safeText(t.at.function)} (${shortLocation(t.at.file, t.at.line)})` : '';
  const wait = t.wait ? ` — ${safeText(t.wait.phrase)}` : '';
  if (t.status === 'stuck') return `${name} stuck for ${t.sameStackSeconds ?? 0} s${at}${wait}`;
  if (t.status === 'busy')
    return (t.sameStackSeconds ?? 0) >= stuckAfterSeconds ? `${name} busy on one line for ${t.sameStackSeconds} s${at}` : `${name} busy${at}`;
  const parked = t.wait?.parked && (t.sameStackSeconds ?? 0) >= stuckAfterSeconds ? ` for ${t.sameStackSeconds} s` : '';
  return `${name} idle${parked}${at}${parked ? wait : ''}`;
}

/** What the shares are of: %Own and %Total count waiting threads too; CPU %Own only running ones. */
export function cpuSentence(samples: number, activeSamples: number | undefined): string {
  const wall = '%Own and %Total are wall-clock shares: the samples of waiting threads count too (py-spy counts idle threads).';
  if (activeSamples === undefined) return `${wall} Which samples ran on the CPU is not known here.`;
  if (activeSamples === 0) return `${wall} None of the ${samples} samples caught a thread running: every thread was waiting.`;
  return `${wall} CPU %Own: of the ${activeSamples} samples in which a thread was running.`;
}

export function profileToText(p: Profile, o: { top?: number } = {}): string {
  const top = o.top ?? 15;
  const secs = (p.durationMs / 1000).toFixed(1);
  const threads = `${p.threads.length} thread${p.threads.length === 1 ? '' : 's'}`;
  const out = [`Sampled pid ${p.pid} for ${secs} s at ${p.rateHz} Hz with ${p.method}: ${p.samples} samples over ${threads}`];
  for (const n of p.notes ?? []) out.push(`note: ${n}`);
  if (p.findings?.length) {
    out.push('', 'Findings:');
    for (const f of p.findings) out.push(`  ${f.severity}: ${f.title}`);
  }
  out.push('', 'Threads:');
  for (const t of p.threads)
    out.push(`  ${t.status === 'stuck' ? '■' : t.status === 'busy' ? '▶' : '·'} ${describeThread(t, p.stuckAfterSeconds)}  (${t.samples} samples)`);
  const cpu = p.activeSamples;
  out.push('', cpuSentence(p.samples, cpu));
  const table = (title: string, rows: { function: string; file: string; line: number; localFile?: string; own: number; total: number; cpuOwn?: number }[]) => {
    out.push('', `${title}:`, `   %Own  %Total  ${cpu === undefined ? '' : 'CPU %Own  '}Function (file:line)`);
    for (const r of rows.slice(0, top)) {
      const cpuCell =
        cpu === undefined
          ? ''
          : `${share(r.cpuOwn ?? 0, cpu)
              .toFixed(1)
              .padStart(8)}  `;
      const own = share(r.own, p.samples).toFixed(1).padStart(5);
      const total = share(r.total, p.samples).toFixed(1).padStart(6);
      const at = r.localFile ? `${r.localFile}:${r.line}` : shortLocation(r.file, r.line);
      out.push(`  ${own}  ${total}  ${cpuCell}${r.function} (${at})`);
    }
  };
  table('Hot lines', p.lines);
  table('Functions', p.functions);
  // Every line is Snag's own around the target's fields: neutralised one by one, so no field can
  // break a line or drive the terminal (describeThread's parts already are; safeText is idempotent).
  return out.map(safeText).join('\n') + '\n';
}
