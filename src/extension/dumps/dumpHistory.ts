// The last dumps per process, newest first, and which one is selected (the Stacks view and the
// editor decorations follow the selection). No vscode here: plain Node tests it.
import type { DumpOptions, StackDump } from '../../core/model';
import type { ProcessRef } from '../targets/targetProviders';

export interface DumpEntry {
  /** `<target id>:<pid>`: the same process across dumps. */
  key: string;
  dump: StackDump;
  processName: string;
  /** The target's label path (`Local`, `Docker › worker`). */
  where: string;
  options: DumpOptions;
  /** The process as listed when dumped (to dump it again). */
  source?: ProcessRef;
}

export function processKey(targetId: string, pid: number): string {
  return `${targetId}:${pid}`;
}

type Listener = () => void;

export class DumpHistory {
  private readonly byProcess = new Map<string, DumpEntry[]>();
  /** Processes seen to have exited since their last dump (their markers say so). */
  private readonly exited = new Set<string>();
  private current?: DumpEntry;
  private readonly listeners = new Set<Listener>();

  constructor(private size: number) {}

  /** Called when an entry is added or the selection changes. Returns an unsubscribe function. */
  onDidChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Records a dump and selects it. */
  add(entry: DumpEntry): void {
    const list = this.byProcess.get(entry.key) ?? [];
    list.unshift(entry);
    list.length = Math.min(list.length, this.size);
    this.byProcess.set(entry.key, list);
    this.exited.delete(entry.key);
    this.current = entry;
    this.changed();
  }

  /** Has the process of these dumps exited since (a listing of its target no longer had it)? */
  hasExited(key: string): boolean {
    return this.exited.has(key);
  }

  /** The process is gone (a dump or sampling of it said so). */
  markExited(key: string): void {
    if (this.exited.has(key) || !this.byProcess.has(key)) return;
    this.exited.add(key);
    this.changed();
  }

  /**
   * A fresh listing of a target's processes: remembered processes of it that are not in the list
   * have exited. `all`: the list has every process (else only Python ones, so a non-Python process
   * dumped with gdb cannot be judged from it).
   */
  noteListed(targetId: string, pids: ReadonlySet<number>, all: boolean): void {
    let changed = false;
    for (const [key, list] of this.byProcess) {
      const e = list[0]!;
      if (key !== processKey(targetId, e.dump.pid) || this.exited.has(key) || pids.has(e.dump.pid)) continue;
      if (!all && e.source?.process.isPython === false) continue;
      this.exited.add(key);
      changed = true;
    }
    if (changed) this.changed();
  }

  get selected(): DumpEntry | undefined {
    return this.current;
  }

  select(entry: DumpEntry | undefined): void {
    if (entry === this.current) return;
    this.current = entry;
    this.changed();
  }

  /** The process's dumps, newest first. */
  forProcess(key: string): readonly DumpEntry[] {
    return this.byProcess.get(key) ?? [];
  }

  /** Every remembered dump, newest first. */
  all(): DumpEntry[] {
    return [...this.byProcess.values()].flat().sort((a, b) => Date.parse(b.dump.takenAt) - Date.parse(a.dump.takenAt));
  }

  /** The selected dump and the one before it of the same process, if both exist. */
  lastTwo(key = this.current?.key): [newer: DumpEntry, older: DumpEntry] | undefined {
    if (!key) return undefined;
    const list = this.forProcess(key);
    const i = this.current && this.current.key === key ? list.indexOf(this.current) : 0;
    const newer = list[i];
    const older = list[i + 1];
    return newer && older ? [newer, older] : undefined;
  }

  /** The selected entry and the older dumps of its process after it (for "same place ≥ N s"). */
  lineage(entry = this.current): StackDump[] {
    if (!entry) return [];
    const list = this.forProcess(entry.key);
    const i = list.indexOf(entry);
    return (i < 0 ? [entry] : list.slice(i)).map((e) => e.dump);
  }

  resize(size: number): void {
    this.size = Math.max(1, size);
    let dropped = false;
    for (const list of this.byProcess.values()) {
      if (list.length > this.size) {
        if (this.current && list.slice(this.size).includes(this.current)) dropped = true;
        list.length = this.size;
      }
    }
    if (dropped) this.select(undefined);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}
