// The README's settings tables against package.json's contributes.configuration: every setting the
// extension contributes has one row, every row names a contributed setting, and the default the row
// gives is the one VS Code applies.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO } from '../support/programs';

interface Contributed {
  default?: unknown;
}

function contributedSettings(): Map<string, Contributed> {
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, Contributed> } | { properties: Record<string, Contributed> }[] };
  };
  const sections = [pkg.contributes.configuration].flat();
  return new Map(sections.flatMap((s) => Object.entries(s.properties)));
}

/** `| \`snag.x\` | \`default\` | what |` rows of the README's tables: setting → its default cell. */
export function readmeSettingRows(readme: string): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of readme.split('\n')) {
    const m = /^\| `(snag\.[\w.]+)` \| `([^`]*)` \|/.exec(line);
    if (m) rows.set(m[1]!, [...(rows.get(m[1]!) ?? []), m[2]!]);
  }
  return rows;
}

/** How the README writes a default: strings bare (`auto`), the empty string as `""`, the rest as JSON. */
export function readmeDefault(value: unknown): string {
  if (typeof value === 'string') return value === '' ? '""' : value;
  return JSON.stringify(value);
}

describe('the README settings tables', () => {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const rows = readmeSettingRows(readme);
  const settings = contributedSettings();

  it('list every contributed setting once, with the default package.json gives it', () => {
    assert.ok(settings.size > 10, `package.json contributes ${settings.size} settings`);
    for (const [key, spec] of settings) {
      const cells = rows.get(key);
      assert.ok(cells, `${key} (package.json) has no row in a README settings table`);
      assert.equal(cells.length, 1, `${key} has ${cells.length} rows in the README`);
      assert.equal(cells[0], readmeDefault(spec.default), `${key}: the README says ${cells[0]}, package.json ${readmeDefault(spec.default)}`);
    }
  });

  it('name only settings the extension contributes', () => {
    for (const key of rows.keys()) assert.ok(settings.has(key), `the README lists ${key}, which package.json does not contribute`);
  });

  it('reads a row and writes a default as the README does', () => {
    const table = '| `snag.a` | `""` | x |\n| `snag.b.c` | `auto` | y |\n| not a row |\n| `snag.d` | `[]` | z |';
    assert.deepEqual(
      [...readmeSettingRows(table)],
      [
        ['snag.a', ['""']],
        ['snag.b.c', ['auto']],
        ['snag.d', ['[]']],
      ],
    );
    assert.deepEqual([readmeDefault(''), readmeDefault('auto'), readmeDefault(2), readmeDefault(false), readmeDefault([])], ['""', 'auto', '2', 'false', '[]']);
  });
});
