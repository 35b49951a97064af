// A big dump in the editor: 500 threads each 60 Python frames deep (many_waiters.py), dumped once
// by py-spy at the start of the run, then opened the way the editor opens it: parsed, mapped to the
// workspace, explained (findings), and the Stacks view's rows built by the extension's own provider
// (stackTree.ts, with the tests' stand-in for the editor's types: test/support/fakeVscode.ts): all its nodes, and a tree
// item for every row the view shows at first (the roots and what is expanded under them).
// Each run is a fresh node process running the code bundled as the extension ships it (cold code,
// as for the first big dump of a session): its wall
// time, and its peak memory above what it held before (maxRSS after − maxRSS before, the dump's
// text already read). Writes the key `bigDump` of bench/results.json: `ms` and `mb` are the medians.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { median, round, writeResult } from './support';
import { PROGRAMS, startProgram } from '../test/support/programs';
import { which } from '../test/support/tools';

const RUNS = Number(process.env.SNAG_BENCH_BIGDUMP_RUNS ?? 7);
const THREADS = 500;
/** many_waiters.py's DEPTH for 60 Python frames a worker (see gdb.bench.ts). */
const DEPTH = 55;
/** vscode.TreeItemCollapsibleState.Expanded. */
const EXPANDED = 2;

interface Measured {
  ms: number;
  warmMs: number;
  peakMb: number;
  retainedMb: number;
  threads: number;
  frames: number;
  findings: number;
  rows: number;
  nodes: number;
}

/** One run, in this (fresh) process: the dump's text in `file`, the workspace at `root`. */
async function measure(file: string, root: string): Promise<Measured> {
  // The tests' stand-in for the editor's types answers `require('vscode')` from here on.
  await import('../test/support/fakeVscode');
  const { openDump } = await import('../src/core/open/openDump');
  const { SourceMapper } = await import('../src/core/mapping/sourceMap');
  const { StackTreeProvider } = await import('../src/extension/dumps/stackTree');
  type History = ConstructorParameters<typeof StackTreeProvider>[0];
  const text = readFileSync(file, 'utf8');
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');

  const once = async () => {
    const dump = await openDump({ kind: 'text', text }, { mapper: new SourceMapper({ workspaceRoots: [root] }), name: 'big-dump.json', from: 'file' });
    const entry = { key: `local:${dump.pid}`, dump, processName: 'python3', where: 'Local', options: {} };
    const history = { selected: entry, onDidChange: () => () => undefined } as unknown as History;
    const tree = new StackTreeProvider(history);
    let rows = 0;
    // What the view asks for when it shows the dump: every root row, and the rows under each
    // row shown expanded (folded ones are asked for when the user opens them).
    const visit = (n?: Parameters<typeof tree.getChildren>[0]) => {
      for (const child of tree.getChildren(n)) {
        const item = tree.getTreeItem(child) as { collapsibleState?: number };
        rows++;
        if (item.collapsibleState === EXPANDED) visit(child);
      }
    };
    visit();
    return { dump, tree, rows };
  };

  gc();
  const rssBefore = process.resourceUsage().maxRSS;
  const heapBefore = process.memoryUsage().heapUsed;
  const start = performance.now();
  const first = await once();
  const ms = performance.now() - start;
  const peakMb = (process.resourceUsage().maxRSS - rssBefore) / 1024;
  gc();
  const retainedMb = (process.memoryUsage().heapUsed - heapBefore) / (1024 * 1024);
  const d = first.dump;
  const result = {
    ms,
    peakMb,
    retainedMb,
    threads: d.threads.length,
    frames: d.threads.reduce((n, t) => n + t.frames.length, 0),
    findings: d.findings.length,
    rows: first.rows,
    nodes: countNodes(first.tree),
  };
  const warmStart = performance.now();
  await once();
  return { ...result, warmMs: performance.now() - warmStart };
}

/** Every node the provider built (shown or folded). */
function countNodes(tree: { getChildren(n?: never): unknown[] }): number {
  let n = 0;
  const visit = (node?: unknown) => {
    for (const child of tree.getChildren(node as never)) {
      n++;
      visit(child);
    }
  };
  visit();
  return n;
}

/** The dump the runs open: py-spy's JSON of the 500 × 60 process, taken once. */
async function recordDump(dir: string): Promise<string> {
  const pyspy = which('py-spy');
  if (!pyspy) throw new Error('py-spy is needed (run bash scripts/setup.sh core)');
  const prog = await startProgram('many_waiters.py', [String(THREADS), String(DEPTH)], { readyTimeoutMs: 120_000 });
  try {
    const r = spawnSync(pyspy, ['dump', '--pid', String(prog.pid), '--json'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 120_000 });
    if (r.status !== 0) throw new Error(`py-spy dump failed (${r.status}): ${r.stderr}`);
    const file = join(dir, 'big-dump.json');
    writeFileSync(file, r.stdout);
    return file;
  } finally {
    prog.stop();
  }
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--measure');
  if (at >= 0) {
    process.stdout.write(JSON.stringify(await measure(process.argv[at + 1]!, process.argv[at + 2]!)) + '\n');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'snag-bigdump-'));
  try {
    const file = await recordDump(dir);
    // The runs use this file bundled as the extension is (esbuild, one CommonJS file, `vscode`
    // answered by the tests' stand-in): the code the editor runs, not tsx's per-module wrappers.
    const bundle = join(dir, 'measure.js');
    // Loaded here only: the bundle itself never needs esbuild (it runs from a temporary folder).
    const { buildSync } = await import('esbuild');
    buildSync({
      entryPoints: [__filename],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: ['vscode', 'esbuild'],
      loader: { '.py': 'text' },
      logLevel: 'warning',
    });
    const runs: Measured[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = spawnSync(process.execPath, ['--expose-gc', bundle, '--measure', file, PROGRAMS], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      if (r.status !== 0) throw new Error(`a run failed (${r.status}): ${r.stderr}`);
      runs.push(JSON.parse(r.stdout.trim().split('\n').pop()!) as Measured);
    }
    const spread = (values: number[]) => ({ median: round(median(values)), min: round(Math.min(...values)), max: round(Math.max(...values)) });
    const first = runs[0]!;
    const result = {
      what: `py-spy dump --json of ${THREADS} threads each 60 Python frames deep (many_waiters.py ${THREADS} ${DEPTH}), opened as the editor does (the code bundled as the extension is): parse + source mapping + findings + every Stacks view node, and the tree items of the rows shown at first; each run a fresh process`,
      ms: round(median(runs.map((r) => r.ms))),
      mb: round(median(runs.map((r) => r.peakMb))),
      runs: RUNS,
      spread: {
        ms: spread(runs.map((r) => r.ms)),
        warmMs: spread(runs.map((r) => r.warmMs)),
        peakMb: spread(runs.map((r) => r.peakMb)),
        retainedHeapMb: spread(runs.map((r) => r.retainedMb)),
      },
      dump: {
        bytes: readFileSync(file).length,
        threads: first.threads,
        frames: first.frames,
        findings: first.findings,
        rowsShown: first.rows,
        nodes: first.nodes,
      },
      measuredAt: new Date().toISOString(),
      machine: { cpus: cpus().length, loadAverage1m: round(loadavg()[0]!) },
    };
    writeResult('bigDump', result);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
