// Import cycles between the folders of src/core (each top-level file counts as its own node), type
// imports included: the stages depend one way (targets → process → reader → mapping → findings →
// views), so no folder may reach back into one that reaches it. ESLint's no-cycle sees files only.
//   node scripts/folder-cycles.mjs [ROOT]   exits 1 and prints the cycles when there are any
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

// Every ending tsc compiles (declaration files hold no imports that run).
const SOURCE = /\.(ts|tsx|mts|cts)$/;
const DECLARATION = /\.d\.(ts|mts|cts)$/;
const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts'];

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? sourceFiles(p) : SOURCE.test(p) && !DECLARATION.test(p) ? [p] : [];
  });
}

const isFile = (p) => existsSync(p) && statSync(p).isFile();

/** The file an import names, as the bundler resolves it: as written, with a TypeScript ending, `.js` for `.ts`, or the folder's index. */
function resolveImport(p) {
  if (isFile(p)) return p;
  const stem = p.replace(/\.(js|jsx|mjs|cjs)$/, '');
  const candidates = [...EXTENSIONS.map((e) => p + e), ...EXTENSIONS.map((e) => stem + e), ...EXTENSIONS.map((e) => join(p, `index${e}`))];
  return candidates.find(isFile) ?? (/\.\w+$/.test(p) ? p : `${p}.ts`);
}

/** folder → folders it imports (with the files that do), for every relative import under root. */
export function folderGraph(root) {
  const nodeOf = (rel) => (rel.includes('/') ? `${rel.split('/')[0]}/` : rel);
  const edges = new Map();
  for (const file of sourceFiles(root)) {
    const from = nodeOf(relative(root, file));
    for (const imp of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (!imp.fileName.startsWith('.')) continue;
      const rel = relative(root, resolveImport(resolve(dirname(file), imp.fileName)));
      if (rel.startsWith('..')) continue;
      const to = nodeOf(rel);
      if (to === from) continue;
      const key = `${from} → ${to}`;
      edges.set(key, [...(edges.get(key) ?? []), relative(root, file)]);
    }
  }
  return edges;
}

/** The strongly connected groups of folders (each a cycle), with the imports that make them. */
export function folderCycles(root) {
  const edges = folderGraph(root);
  const adj = new Map();
  for (const key of edges.keys()) {
    const [a, b] = key.split(' → ');
    adj.set(a, [...(adj.get(a) ?? []), b]);
  }
  let next = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const groups = [];
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of adj.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) !== index.get(v)) return;
    const group = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1) groups.push(group.sort());
  };
  for (const v of adj.keys()) if (!index.has(v)) visit(v);
  return groups.map((g) => ({
    folders: g,
    imports: [...edges].filter(([k]) => g.includes(k.split(' → ')[0]) && g.includes(k.split(' → ')[1])).map(([k, files]) => `${k} (${files.join(', ')})`),
  }));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = process.argv[2] ?? 'src/core';
  const cycles = folderCycles(root);
  for (const c of cycles) console.error(`folder cycle: ${c.folders.join(', ')}\n  ${c.imports.join('\n  ')}`);
  process.exit(cycles.length ? 1 : 0);
}
