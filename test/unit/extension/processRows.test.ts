// The Processes view's rows keep their objects across refreshes (processRows.ts): what a refresh
// hands VS Code to redraw is only the rows whose text changed and the parents whose rows changed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeRows, steadyRows, treeItemSignature } from '../../../src/extension/targets/processRows';

interface Row {
  id: string;
  text: string;
  children: Row[];
}

const row = (id: string, text = id, children: Row[] = []): Row => ({ id, text, children });
const look = (r: Row) => ({ id: r.id, signature: `${r.text}|${r.children.length}` });
const adopt = (shown: Row, fresh: Row, mergeChildren: (a: Row[], b: Row[]) => Row[]) =>
  Object.assign(shown, fresh, { children: mergeChildren(shown.children, fresh.children) });

describe('mergeRows', () => {
  it('keeps each shown row object and redraws nothing when the listing is the same', () => {
    const shown = [row('a'), row('b', 'b', [row('b1')])];
    const changed = new Set<Row>();
    const merged = mergeRows(shown, [row('a'), row('b', 'b', [row('b1')])], changed, look, adopt);
    assert.equal(merged.reshaped, false);
    assert.equal(merged.rows[0], shown[0]);
    assert.equal(merged.rows[1], shown[1]);
    assert.equal(merged.rows[1]!.children[0], shown[1]!.children[0]);
    assert.equal(changed.size, 0);
  });

  it('updates a row in place and redraws only it when its text changed', () => {
    const a = row('a', 'a · 0.0% CPU');
    const changed = new Set<Row>();
    const merged = mergeRows([a, row('b')], [row('a', 'a · 9.0% CPU'), row('b')], changed, look, adopt);
    assert.equal(merged.reshaped, false);
    assert.equal(merged.rows[0], a);
    assert.equal(a.text, 'a · 9.0% CPU');
    assert.deepEqual([...changed], [a]);
  });

  it('reports a changed set of rows as reshaped, keeping the rows that stay', () => {
    const a = row('a');
    const changed = new Set<Row>();
    const merged = mergeRows([a, row('b')], [row('c'), row('a')], changed, look, adopt);
    assert.equal(merged.reshaped, true);
    assert.equal(merged.rows[1], a);
    assert.equal(merged.rows[0]!.id, 'c');
  });

  it('redraws a parent whose children changed, and keeps the children that stay', () => {
    const kid = row('p1');
    const parent = row('p', 'p', [kid]);
    const changed = new Set<Row>();
    const merged = mergeRows([parent], [row('p', 'p', [row('p1'), row('p2')])], changed, look, adopt);
    assert.equal(merged.reshaped, false);
    assert.equal(merged.rows[0], parent);
    assert.equal(parent.children[0], kid);
    assert.equal(parent.children.length, 2);
    assert.ok(changed.has(parent));
  });

  it('treats a first listing as reshaped', () => {
    assert.equal(mergeRows<Row>(undefined, [row('a')], new Set(), look, adopt).reshaped, true);
  });
});

describe('treeItemSignature', () => {
  it('differs when a drawn part differs and not otherwise', () => {
    // A plain object standing in for vscode.TreeItem (the module only reads its fields).
    type Item = Parameters<typeof treeItemSignature>[0];
    const item = (o: Record<string, unknown>) =>
      ({
        id: 'x',
        label: 'worker.py',
        description: 'pid 1 · sleeping',
        tooltip: { value: '**worker.py**' },
        contextValue: 'pythonProcess',
        collapsibleState: 0,
        ...o,
      }) as unknown as Item;
    assert.equal(treeItemSignature(item({})), treeItemSignature(item({ tooltip: { value: '**worker.py**' } })));
    assert.notEqual(treeItemSignature(item({})), treeItemSignature(item({ description: 'pid 1 · running' })));
    assert.notEqual(treeItemSignature(item({})), treeItemSignature(item({ tooltip: { value: 'other' } })));
    assert.notEqual(treeItemSignature(item({})), treeItemSignature(item({ collapsibleState: 2 })));
  });
});

describe('steadyRows', () => {
  const ids = (rows: Row[]) => rows.map((r) => r.id);
  const idOf = (r: Row) => r.id;

  it('shows a new row only when a second listing has it too', () => {
    const shown = [row('1'), row('2')];
    assert.deepEqual(ids(steadyRows(shown, [row('1'), row('2'), row('3')], new Set(['1', '2']), idOf)), ['1', '2']);
    assert.deepEqual(ids(steadyRows(shown, [row('1'), row('2'), row('3')], new Set(['1', '2', '3']), idOf)), ['1', '2', '3']);
  });

  it('keeps a row gone from one listing, in its place, and drops it when the next lacks it too', () => {
    const shown = [row('1'), row('2'), row('3')];
    const kept = steadyRows(shown, [row('1'), row('3')], new Set(['1', '2', '3']), idOf);
    assert.deepEqual(ids(kept), ['1', '2', '3']);
    assert.equal(kept[1], shown[1]);
    assert.deepEqual(ids(steadyRows(shown, [row('1'), row('3')], new Set(['1', '3']), idOf)), ['1', '3']);
  });

  it('a process that lives less than one listing never reshapes the rows', () => {
    const shown = [row('1')];
    const merged = mergeRows(shown, steadyRows(shown, [row('1'), row('short')], new Set(['1']), idOf), new Set(), look, adopt);
    assert.equal(merged.reshaped, false);
    const next = mergeRows(merged.rows, steadyRows(merged.rows, [row('1')], new Set(['1', 'short']), idOf), new Set(), look, adopt);
    assert.equal(next.reshaped, false);
  });
});
