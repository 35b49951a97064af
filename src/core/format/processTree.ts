// Processes as a parent → children forest (shared by the CLI's tree and the extension's view).
import type { ProcessInfo } from '../model';
import { safeText } from '../text/safeText';

export interface ProcessNode {
  process: ProcessInfo;
  children: ProcessNode[];
}

/** Roots are processes whose parent is not in the list; children sorted by pid. */
export function buildProcessTree(procs: readonly ProcessInfo[]): ProcessNode[] {
  const nodes = new Map<number, ProcessNode>();
  for (const p of procs) nodes.set(p.pid, { process: p, children: [] });
  const roots: ProcessNode[] = [];
  for (const n of nodes.values()) {
    const parent = n.process.ppid !== n.process.pid ? nodes.get(n.process.ppid) : undefined;
    (parent ? parent.children : roots).push(n);
  }
  const sort = (list: ProcessNode[]) => {
    list.sort((a, b) => a.process.pid - b.process.pid);
    for (const n of list) sort(n.children);
  };
  sort(roots);
  return roots;
}

export function formatElapsed(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  if (d) return `${d}d${h}h`;
  if (h) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m) return `${m}m${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}

const STATE_WORDS: Record<string, string> = { R: 'running', S: 'sleeping', D: 'disk wait', T: 'stopped', t: 'traced', Z: 'zombie', I: 'idle', X: 'dead' };
/** The state in a word; a zombie leader with other threads is a live process whose main thread exited. */
export function describeState(state: string, threads = 1): string {
  if (state.startsWith('Z') && threads > 1) return 'main thread exited';
  return STATE_WORDS[state[0] ?? ''] ?? safeText(state);
}

/** The process's name for a row or a tree label: neutralised, so an RLO in it cannot reverse the row. */
export function processLabel(p: ProcessInfo): string {
  return safeText(p.name);
}

/** The longest name a Processes row shows whole: with the facts beside it, it fits the default side bar (about 300 px). */
export const ROW_NAME_MAX = 22;

/**
 * A name cut from the middle to `max` characters, its start and its end kept: the start says what
 * it is, the end its extension (`nightly_reconc…_job.py`).
 */
export function shortenMiddle(name: string, max = ROW_NAME_MAX): string {
  const chars = [...name];
  if (chars.length <= max) return name;
  const ext = /\.[A-Za-z0-9]{1,5}$/.exec(name)?.[0] ?? '';
  const tailLength = Math.min(ext.length + 4, Math.floor((max - 1) / 2));
  const headLength = max - 1 - tailLength;
  return chars.slice(0, headLength).join('') + '…' + chars.slice(chars.length - tailLength).join('');
}

/**
 * A process's label in the Processes view: its name, cut from the middle when long; with its pid
 * when another listed process has the same name (eight `gunicorn` workers are told apart by the
 * label, which the side bar never cuts first). The full name and the pid are in the tooltip.
 */
export function processRowLabel(p: ProcessInfo, namesake = false): string {
  const name = shortenMiddle(processLabel(p));
  return namesake ? `${name} (${p.pid})` : name;
}

/** The command line for display: neutralised and cut to `max` characters. */
export function processCommandLine(p: ProcessInfo, max = 160): string {
  const s = safeText(p.command);
  return s.length > max ? s.slice(0, max - 3) + '…' : s;
}

/** States worth a word on a process's row: the ordinary ones (running, sleeping, idle) are said by its CPU share and its tooltip. */
const NOTABLE_STATE = /^[DTtZX]/;

/** A CPU share in few characters: `0%`, `<1%`, `37%`, `150%` (the exact share is in the tooltip). */
export function compactCpu(percent: number): string {
  if (percent <= 0) return '0%';
  if (percent < 1) return '<1%';
  return `${Math.round(percent)}%`;
}

/**
 * A process's description in the Processes view, laid out for the side bar's default width (about
 * 300 px): the facts that tell a stuck process apart first and short (`0% · 12m03s`), then the pid
 * (what the pickers and the CLI take; left out when the label carries it: `namesake`, see
 * `processRowLabel`); a state worth a warning (stopped, traced, disk wait, zombie) leads. The
 * thread count is in the tooltip only: with it, a 5-digit pid was cut for most names at 300 px. The words (CPU, threads, pid, state) are in
 * the row's tooltip; the full line is `describeProcess`.
 */
export function describeProcessRow(p: ProcessInfo, namesake = false): string {
  const facts = [compactCpu(p.cpuPercent), formatElapsed(p.elapsedSeconds)];
  if (!namesake) facts.push(`pid ${p.pid}`);
  return (NOTABLE_STATE.test(p.state) ? [describeState(p.state, p.threads), ...facts] : facts).join(' · ');
}

/** One line describing a process: `worker.py  pid 123 · sleeping · 0.0% CPU · 12m03s · 3 threads`. */
export function describeProcess(p: ProcessInfo): string {
  return `pid ${p.pid} · ${describeState(p.state, p.threads)} · ${p.cpuPercent.toFixed(1)}% CPU · ${formatElapsed(p.elapsedSeconds)} · ${p.threads} thread${p.threads === 1 ? '' : 's'}`;
}
