// Tree rows can only be dimmed through a file decoration: library frames carry a resourceUri in
// Snag's own scheme, and this provider colours exactly those.
import * as vscode from 'vscode';

const SCHEME = 'snag-frame';

export function dimmedUri(id: string): vscode.Uri {
  return vscode.Uri.from({ scheme: SCHEME, path: `/dim/${encodeURIComponent(id)}` });
}

export function registerFrameDimming(): vscode.Disposable {
  const decoration = new vscode.FileDecoration(undefined, undefined, new vscode.ThemeColor('snag.libraryFrameForeground'));
  return vscode.window.registerFileDecorationProvider({
    provideFileDecoration: (uri) => (uri.scheme === SCHEME && uri.path.startsWith('/dim/') ? decoration : undefined),
  });
}
