// The first-run walkthrough's progress steps ("Find the stuck process", "Dump its stacks", "Read the
// finding", "Sample") tick when the user has done them: each step completes on a context key,
// `snag.walkthrough.<step>`, set here where the action runs.
//
// VS Code (1.100) starts its walkthrough service only when a walkthrough or the Welcome page first
// opens, and a completion event counts once, and only when it turns true after the walkthrough was
// registered: a key already true then is taken as seen and never completes its step. So the keys
// stay unset until an editor of the workbench's own (the walkthrough's kind) is open, and then take
// two values in turn for a few seconds (`tick`, `tock`; each step completes on either): whichever
// value the registration found, the other one arrives after it.
import * as vscode from 'vscode';

export type WalkthroughStep = 'found' | 'dumped' | 'openedFrame' | 'sampled';

/** How often and how many times the keys change after a walkthrough may have opened. */
const FLIP_MS = 1500;
const FLIPS = 8;

const done = new Set<WalkthroughStep>();
let phase: 'tick' | 'tock' | undefined;

function publish(step: WalkthroughStep): void {
  if (phase) void vscode.commands.executeCommand('setContext', `snag.walkthrough.${step}`, phase);
}

/** The user did what the step asks. */
export function markWalkthroughStep(step: WalkthroughStep): void {
  if (done.has(step)) return;
  done.add(step);
  publish(step);
}

/** A tab of the workbench's own kind (no text, diff, webview, … input): the walkthrough, the Welcome page, settings. */
const isWorkbenchPage = (tab: vscode.Tab) => tab.input === undefined;

/** Watches for a walkthrough opening; from then on the steps done are told to it. */
export function watchWalkthrough(): vscode.Disposable {
  let timer: ReturnType<typeof setInterval> | undefined;
  let seen = new Set<string>();
  const flip = () => {
    if (timer) clearInterval(timer);
    let left = FLIPS;
    const step = () => {
      phase = phase === 'tick' ? 'tock' : 'tick';
      for (const s of done) publish(s);
      if (--left <= 0 && timer) {
        clearInterval(timer);
        timer = undefined;
      }
    };
    step();
    timer = setInterval(step, FLIP_MS);
  };
  const look = () => {
    const pages = new Set(vscode.window.tabGroups.all.flatMap((g) => g.tabs.filter(isWorkbenchPage).map((t) => `${g.viewColumn}:${t.label}`)));
    const opened = [...pages].some((t) => !seen.has(t));
    seen = pages;
    if (opened) flip();
  };
  look();
  const subscription = vscode.window.tabGroups.onDidChangeTabs(look);
  return {
    dispose: () => {
      subscription.dispose();
      if (timer) clearInterval(timer);
    },
  };
}
