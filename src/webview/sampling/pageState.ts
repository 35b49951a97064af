// The page's own state (which tab, the sort, the filter, the thread picked), kept by the webview
// across reloads, and what the render functions may do: post to the host, change that state.
import type { OpenAt, PageMessage, ThreadChoice } from '../../extension/sampling/protocol';

export type Tab = 'lines' | 'functions' | 'flame';
export type SortKey = 'own' | 'total' | 'cpuOwn' | 'cpuTotal' | 'function';

export interface PageState {
  tab: Tab;
  sort: SortKey;
  desc: boolean;
  filter: string;
  /** `all` or a thread id, as the thread picker's option values. */
  thread: string;
}

export interface Actions {
  post(m: PageMessage): void;
  /** Saves the change and draws it at once. */
  change(fields: Partial<PageState>): void;
}

/** A click handler opening the line, or none (the element is not a link). */
export const opener = (actions: Actions, open: OpenAt | undefined) =>
  open ? () => actions.post({ type: 'open', file: open.file, line: open.line }) : undefined;

const TABS: readonly string[] = ['lines', 'functions', 'flame'] satisfies Tab[];
const SORTS: readonly string[] = ['own', 'total', 'cpuOwn', 'cpuTotal', 'function'] satisfies SortKey[];

/** The saved state, with defaults for what is missing or not understood (an older page's state). */
export function restoreState(saved: unknown): PageState {
  const s = (saved && typeof saved === 'object' ? saved : {}) as Record<string, unknown>;
  return {
    tab: typeof s.tab === 'string' && TABS.includes(s.tab) ? (s.tab as Tab) : 'lines',
    sort: typeof s.sort === 'string' && SORTS.includes(s.sort) ? (s.sort as SortKey) : 'own',
    desc: typeof s.desc === 'boolean' ? s.desc : true,
    filter: typeof s.filter === 'string' ? s.filter : '',
    thread: typeof s.thread === 'string' && /^(all|\d+)$/.test(s.thread) ? s.thread : 'all',
  };
}

export function threadChoice(thread: string): ThreadChoice {
  return thread === 'all' ? 'all' : Number(thread);
}

export const choiceValue = (c: ThreadChoice): string => String(c);
