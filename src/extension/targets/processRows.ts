// Keeps the Processes view's rows the same objects from one refresh to the next. VS Code hands a
// row's context-menu command the element it has registered under the row's handle (its TreeItem
// id) at the moment the command runs, and any refresh of a row's parent (or of the whole view)
// unregisters every row below it until VS Code has asked for those children again. Refreshing the
// whole view on every auto-refresh, with children that wait for a listing (an ssh round trip),
// left rows unregistered for seconds: a Dump Stacks clicked then got no process and opened the
// picker. So a new listing is merged into the rows already shown: a row keeps its object (fields
// updated in place), and only rows whose text changed, or parents whose set of rows changed,
// are handed to VS Code to refresh.
import type * as vscode from 'vscode';

/** The fields of a tree row that make one: same id → same row; same signature → nothing to redraw. */
export interface RowLook {
  id: string;
  signature: string;
}

export interface MergedRows<T> {
  rows: T[];
  /** The set or order of rows differs from before (the parent must be refreshed). */
  reshaped: boolean;
}

/** What VS Code draws for a TreeItem, as one comparable string. */
export function treeItemSignature(item: vscode.TreeItem): string {
  const text = (v: unknown): unknown => (v && typeof v === 'object' && 'value' in v ? (v as { value: unknown }).value : v);
  const icon = item.iconPath as { id?: string; color?: { id?: string } } | undefined;
  return JSON.stringify([
    text(item.label),
    text(item.description),
    text(item.tooltip),
    icon?.id,
    icon?.color?.id,
    item.contextValue,
    item.collapsibleState,
    item.accessibilityInformation?.label,
  ]);
}

/**
 * Merges `fresh` rows into the `shown` ones: a fresh row whose id is shown becomes the shown
 * object, updated in place (`adopt`), and is added to `changed` when it looks different. Rows with
 * children of their own (`childrenOf`) are merged the same way, level by level.
 */
export function mergeRows<T extends object>(
  shown: readonly T[] | undefined,
  fresh: readonly T[],
  changed: Set<T>,
  look: (row: T) => RowLook,
  adopt: (shownRow: T, freshRow: T, mergeChildren: (shownKids: T[], freshKids: T[]) => T[]) => void,
): MergedRows<T> {
  const byId = new Map<string, T>();
  for (const row of shown ?? []) byId.set(look(row).id, row);
  const rows = fresh.map((f) => {
    const l = look(f);
    const old = byId.get(l.id);
    if (!old) return f;
    byId.delete(l.id);
    if (look(old).signature !== l.signature) changed.add(old);
    adopt(old, f, (shownKids, freshKids) => {
      const inner = mergeRows(shownKids, freshKids, changed, look, adopt);
      if (inner.reshaped) changed.add(old);
      return inner.rows;
    });
    return old;
  });
  const reshaped = !shown || shown.length !== rows.length || rows.some((r, i) => r !== shown[i]);
  return { rows, reshaped };
}

/**
 * The rows to show from a new listing when the previous listing is known: a row that is new in
 * this listing waits for the next one, and a row gone from it stays (as it was) for one more.
 * Each change to a parent's set of rows unregisters all its rows in VS Code for a round trip to the
 * workbench (a menu clicked then gets no row), so processes that live less than a refresh interval,
 * such as a build's or a test run's, no longer reshape the view every few seconds.
 */
export function steadyRows<T>(shown: readonly T[], fresh: readonly T[], previousIds: ReadonlySet<string>, idOf: (row: T) => string): T[] {
  const shownIds = new Set(shown.map(idOf));
  const freshIds = new Set(fresh.map(idOf));
  const out = fresh.filter((r) => shownIds.has(idOf(r)) || previousIds.has(idOf(r)));
  shown.forEach((r, i) => {
    const id = idOf(r);
    if (!freshIds.has(id) && previousIds.has(id)) out.splice(Math.min(i, out.length), 0, r);
  });
  return out;
}
