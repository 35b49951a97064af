// Runs INSIDE code-server's extension host, loaded by the workbench as its extensionTestsPath
// (see ../extensionHost.test.ts, which bundles this file). It drives the installed Snag through the
// public VS Code API against a real stuck process, and writes one result per case next to itself.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { LocalTarget } from '../../../src/core/targets/local';

/** What the outer test hands in (input.json beside the bundle). */
export interface SuiteInput {
  extensionId: string;
  pid: number;
  file: string;
  hangLine: number;
  /** The other thread's innermost line in the same file. */
  otherLine: number;
}

export interface CaseResult {
  name: string;
  ok: boolean;
  error?: string;
  ms: number;
}

async function lensesOf(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  return (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
}

/** Polls until `check` passes (the CodeLens and clipboard update asynchronously). */
async function eventually<T>(what: string, get: () => Thenable<T>, check: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await get();
  while (!check(last)) {
    if (Date.now() > deadline) throw new Error(`${what}: never happened; last value ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
    last = await get();
  }
  return last;
}

/**
 * Watches /proc every 10 ms for Python processes that start or end (a listing catches one that
 * lives a few milliseconds; looks at the listing every 150 ms do not). `stop()` says whether any did.
 */
function watchPythonChurn(): { stop(): boolean } {
  const python = (pid: string) => {
    try {
      return /python/i.test(readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0')[0] ?? '');
    } catch {
      return false;
    }
  };
  const pids = () => new Set(readdirSync('/proc').filter((n) => /^\d+$/.test(n)));
  let known = pids();
  const pythons = new Set([...known].filter(python));
  let churned = false;
  const timer = setInterval(() => {
    const now = pids();
    for (const p of pythons) if (!now.has(p)) churned = true;
    for (const p of now)
      if (!known.has(p) && python(p)) {
        pythons.add(p);
        churned = true;
      }
    known = now;
  }, 10);
  return {
    stop: () => {
      clearInterval(timer);
      return churned;
    },
  };
}

/**
 * A context-menu action on a row reaches its command as { $treeViewId, $treeItemHandle }, which
 * the extension host turns into the element registered under that handle when the command runs
 * (undefined when none is: the command then opened the "Dump Stacks of…" picker). `runCommands`
 * sends a probe command exactly that argument through the workbench, as a menu does, while the
 * view refreshes. Before the fix every refresh unregistered all rows until the new listing was in.
 */
async function rowSurvivesRefreshes(input: SuiteInput): Promise<void> {
  await vscode.commands.executeCommand('snag.processes.focus');
  const menuArgument = { $treeViewId: 'snag.processes', $treeItemHandle: `1/process:local:${input.pid}` };
  let received: unknown = 'not called';
  const probe = vscode.commands.registerCommand('snagTest.rowArgument', (arg: unknown) => (received = arg));
  const pidOf = (x: unknown) => (x as { process?: { pid?: number } } | undefined)?.process?.pid;
  const rowArgument = async (): Promise<unknown> => {
    received = 'not called';
    await vscode.commands.executeCommand('runCommands', { commands: [{ command: 'snagTest.rowArgument', args: menuArgument }] });
    return received;
  };
  try {
    await eventually('the process row shown in the Processes view', rowArgument, (a) => pidOf(a) === input.pid, 60_000);
    // A round in which a Python process started or ended elsewhere on this machine redraws the
    // Local group (its set of rows changed), which is another case: only rounds with the same
    // processes before and after count, and three of them must.
    const local = new LocalTarget();
    const pythonPids = async () =>
      (await local.listProcesses())
        .map((p) => p.pid)
        .sort((a, b) => a - b)
        .join(',');
    let counted = 0;
    for (let round = 0; round < 20 && counted < 3; round++) {
      const churn = watchPythonChurn();
      const before = await pythonPids();
      await vscode.commands.executeCommand('snag.refreshProcesses');
      // Watched for as long as a refresh takes on a loaded machine (debounce, listing, redraw).
      const misses: string[] = [];
      const until = Date.now() + 3000;
      let probes = 0;
      // Looked at again every 150 ms: a process that starts and ends within the round
      // changes the group too.
      let steady = true;
      let lookedAt = Date.now();
      while (Date.now() < until) {
        const arg = await rowArgument();
        probes++;
        if (pidOf(arg) !== input.pid) misses.push(String(arg));
        if (Date.now() - lookedAt > 150) {
          steady &&= (await pythonPids()) === before;
          lookedAt = Date.now();
        }
      }
      if (churn.stop() || !steady || (await pythonPids()) !== before) continue;
      counted++;
      assert.deepEqual(misses, [], `round ${round}: the menu's argument resolved to something else than the row in ${misses.length} of ${probes} probes`);
    }
    assert.equal(counted, 3, 'three refresh rounds without other Python processes starting or ending');
  } finally {
    probe.dispose();
  }
}

function cases(input: SuiteInput): [string, () => Promise<void>][] {
  const uri = vscode.Uri.file(input.file);
  return [
    [
      'Snag activates and registers every command it contributes',
      async () => {
        const ext = vscode.extensions.getExtension(input.extensionId);
        assert.ok(ext, `${input.extensionId} is installed`);
        await ext.activate();
        const contributed = (ext.packageJSON as { contributes: { commands: { command: string }[] } }).contributes.commands.map((c) => c.command);
        const registered = new Set(await vscode.commands.getCommands(true));
        assert.deepEqual(
          contributed.filter((c) => !registered.has(c)),
          [],
        );
      },
    ],
    ['a Processes row stays registered through refreshes, so its context-menu commands get their process', () => rowSurvivesRefreshes(input)],
    [
      'snag.dumpStacks on a process row dumps the real process; the CodeLens counts its threads in the file',
      async () => {
        const target = new LocalTarget();
        const proc = (await target.listProcesses()).find((p) => p.pid === input.pid);
        assert.ok(proc, `pid ${input.pid} is listed as a Python process`);
        // The same shape a Processes row hands to its context-menu commands.
        const row = { kind: 'process', groupId: 'local', target, process: proc, path: ['Local'], children: [] };
        await vscode.commands.executeCommand('snag.dumpStacks', row);
        await vscode.window.showTextDocument(uri);
        const lenses = await eventually(
          'a CodeLens on the dumped file',
          () => lensesOf(uri),
          (l) => l.length > 0,
        );
        assert.match(lenses[0]!.command?.title ?? '', new RegExp(`2 threads stopped in this file \\(pid ${input.pid}\\)`));
        assert.equal(lenses[0]!.command?.command, 'snag.openFrame');
        const link = lenses[0]!.command?.arguments?.[0] as { file: string; line: number };
        assert.equal(link.file, input.file);
        assert.ok([input.hangLine, input.otherLine].includes(link.line), `the lens jumps to a stopped line, not ${link.line}`);
      },
    ],
    [
      'snag.openFrame opens the frame at its line',
      async () => {
        await vscode.commands.executeCommand('snag.openFrame', { file: input.file, line: input.hangLine });
        const editor = vscode.window.activeTextEditor;
        assert.equal(editor?.document.uri.fsPath, input.file);
        assert.equal(editor?.selection.active.line, input.hangLine - 1);
      },
    ],
    [
      'snag.copyDumpText puts the dump on the clipboard as text',
      async () => {
        await vscode.env.clipboard.writeText('');
        await vscode.commands.executeCommand('snag.copyDumpText');
        const text = await eventually(
          'the dump on the clipboard',
          () => vscode.env.clipboard.readText(),
          (t) => t.length > 0,
        );
        assert.match(text, new RegExp(`^Process ${input.pid} · py-spy`));
        assert.match(text, /"MainThread"/);
        assert.match(text, new RegExp(`▶ fetch_reply \\(${input.file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${input.hangLine}\\)`));
      },
    ],
    [
      'snag.clearDecorations removes the markers (the CodeLens goes away)',
      async () => {
        await vscode.commands.executeCommand('snag.clearDecorations');
        await eventually(
          'no CodeLens after clearing',
          () => lensesOf(uri),
          (l) => l.length === 0,
        );
      },
    ],
  ];
}

/** Called by the extension host once the workbench is up; a rejection makes the run exit with 1. */
export async function run(): Promise<void> {
  const input = JSON.parse(readFileSync(join(__dirname, 'input.json'), 'utf8')) as SuiteInput;
  const results: CaseResult[] = [];
  for (const [name, fn] of cases(input)) {
    const started = Date.now();
    try {
      await fn();
      results.push({ name, ok: true, ms: Date.now() - started });
    } catch (err) {
      results.push({ name, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err), ms: Date.now() - started });
    }
  }
  writeFileSync(join(__dirname, 'results.json'), JSON.stringify(results, null, 2));
  const failed = results.filter((r) => !r.ok);
  if (failed.length) throw new Error(`${failed.length} extension-host case(s) failed: ${failed.map((f) => f.name).join('; ')}`);
}
