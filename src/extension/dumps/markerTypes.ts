// The two looks of a marked line in an editor, shared by the thread markers (StackDecorations) and
// the asyncio task markers (TaskDecorations): "here" (where a thread or task group waits: line
// highlight, its own gutter icon, overview-ruler mark, brighter after-text) and "frame" (a line on
// the way there: gutter icon and dimmed after-text). Each owner creates its own pair, because
// setDecorations replaces everything a type shows in an editor: one shared pair would let the
// thread and task markers erase each other.
import * as vscode from 'vscode';

export interface MarkerTypes {
  readonly here: vscode.TextEditorDecorationType;
  readonly frame: vscode.TextEditorDecorationType;
}

export function createMarkerTypes(extensionUri: vscode.Uri): MarkerTypes {
  const icon = (name: string) => vscode.Uri.joinPath(extensionUri, 'media', name);
  const after = { margin: '0 0 0 2em', fontStyle: 'italic' };
  const here = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor('snag.hereLineBackground'),
    gutterIconPath: icon('gutter-here.svg'),
    gutterIconSize: 'contain',
    overviewRulerColor: new vscode.ThemeColor('snag.overviewRulerForeground'),
    overviewRulerLane: vscode.OverviewRulerLane.Right,
    after: { ...after, color: new vscode.ThemeColor('snag.hereAfterTextForeground') },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  const frame = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    gutterIconPath: icon('gutter-frame.svg'),
    gutterIconSize: 'contain',
    after: { ...after, color: new vscode.ThemeColor('snag.afterTextForeground') },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  return { here, frame };
}
