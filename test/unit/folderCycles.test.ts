// No import cycles between the folders of src/core (the stages depend one way), type imports
// included; the check (scripts/folder-cycles.mjs, part of npm run lint) finds a planted one.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

const SCRIPT = pathToFileURL(join(__dirname, '..', '..', 'scripts', 'folder-cycles.mjs')).href;
type Cycles = (root: string) => { folders: string[]; imports: string[] }[];

test('src/core has no folder-level import cycle', async () => {
  const { folderCycles } = (await import(SCRIPT)) as { folderCycles: Cycles };
  assert.deepEqual(folderCycles(join(__dirname, '..', '..', 'src', 'core')), []);
});

test('a planted cycle between two folders is found, type-only and multi-line imports included', async () => {
  const { folderCycles } = (await import(SCRIPT)) as { folderCycles: Cycles };
  const root = mkdtempSync(join(tmpdir(), 'snag-cycles-'));
  try {
    const files: Record<string, string> = {
      'targets/a.ts': "import type {\n  B,\n} from '../backends/b';\nexport type A = B;\n",
      'backends/b.ts': "import { c } from '../model';\nimport type { A } from '../targets/a';\nexport type B = A | typeof c;\n",
      'model.ts': 'export const c = 1;\n',
    };
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, p)), { recursive: true });
      writeFileSync(join(root, p), text);
    }
    const cycles = folderCycles(root);
    assert.equal(cycles.length, 1);
    assert.deepEqual(cycles[0]!.folders, ['backends/', 'targets/']);
    rmSync(join(root, 'backends', 'b.ts'));
    writeFileSync(join(root, 'backends', 'b.ts'), "import { c } from '../model';\nexport const b = c;\n");
    assert.deepEqual(folderCycles(root), [], 'one-way imports are fine');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a cycle through .mts, .cts and .tsx files, imported by .js/.mjs names or without an ending', async () => {
  const { folderCycles } = (await import(SCRIPT)) as { folderCycles: Cycles };
  const root = mkdtempSync(join(tmpdir(), 'snag-cycles-'));
  try {
    const files: Record<string, string> = {
      'targets/a.mts': "import type { V } from '../view';\nexport type A = V;\n",
      'view.tsx': "import type { B } from './backends/b.js';\nexport type V = B;\n",
      'backends/b.cts': "import type { A } from '../targets/a.mjs';\nexport type B = A | 1;\n",
    };
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, p)), { recursive: true });
      writeFileSync(join(root, p), text);
    }
    const cycles = folderCycles(root);
    assert.equal(cycles.length, 1, JSON.stringify(cycles));
    assert.deepEqual(cycles[0]!.folders, ['backends/', 'targets/', 'view.tsx']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
