// How a thread's frames are listed: the innermost frame (where the thread actually waits), the
// user's own frames and frames with a note stay visible; runs of two or more other frames
// (stdlib, site-packages, native) fold into one "N library frames" row. No vscode here.
import type { Frame } from '../model';

export interface ShownFrame {
  frame: Frame;
  index: number;
}

export type FrameRow = { kind: 'frame'; frame: Frame; index: number } | { kind: 'library'; frames: ShownFrame[] };

function alwaysShown(f: Frame, index: number): boolean {
  return index === 0 || f.isUserCode || !!f.note;
}

export function groupFrames(frames: readonly Frame[], minRun = 2): FrameRow[] {
  const rows: FrameRow[] = [];
  let run: ShownFrame[] = [];
  const flush = () => {
    if (run.length >= minRun) rows.push({ kind: 'library', frames: run });
    else for (const r of run) rows.push({ kind: 'frame', ...r });
    run = [];
  };
  frames.forEach((frame, index) => {
    if (alwaysShown(frame, index)) {
      flush();
      rows.push({ kind: 'frame', frame, index });
    } else run.push({ frame, index });
  });
  flush();
  return rows;
}
