// Just enough of the `vscode` API for plain Node to build the extension's tree items, tooltips and
// notifications and look at their text (what the workbench would render). Import this module before
// any src/extension module: it answers `require('vscode')` from then on. Behaviour (rendering,
// commands, events beyond firing) is the workbench's and is tested in test/e2e.
import Module from 'node:module';

type Listener<T> = (e: T) => unknown;

class EventEmitter<T> {
  private listeners = new Set<Listener<T>>();
  event = (l: Listener<T>) => {
    this.listeners.add(l);
    return { dispose: () => this.listeners.delete(l) };
  };
  fire(e: T): void {
    for (const l of this.listeners) l(e);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

class MarkdownString {
  isTrusted?: boolean | { enabledCommands: string[] };
  supportThemeIcons?: boolean;
  constructor(public value = '') {}
  appendMarkdown(s: string): this {
    this.value += s;
    return this;
  }
  /** As VS Code does: the text shown as written (Markdown punctuation escaped). */
  appendText(s: string): this {
    this.value += s.replace(/[\\`*_{}[\]()#+\-.!|]/g, '\\$&');
    return this;
  }
  appendCodeblock(code: string, language = ''): this {
    this.value += `\n\`\`\`${language}\n${code}\n\`\`\`\n`;
    return this;
  }
}

class TreeItem {
  id?: string;
  description?: string;
  tooltip?: string | MarkdownString;
  iconPath?: unknown;
  contextValue?: string;
  command?: unknown;
  resourceUri?: unknown;
  accessibilityInformation?: { label: string };
  constructor(
    public label: string,
    public collapsibleState = 0,
  ) {}
}

class ThemeIcon {
  constructor(
    public id: string,
    public color?: unknown,
  ) {}
}

class ThemeColor {
  constructor(public id: string) {}
}

const uri = (scheme: string, path: string, authority = '') => ({
  scheme,
  authority,
  path,
  fsPath: path,
  toString: () => (authority ? `${scheme}://${authority}${path}` : `${scheme}:${path}`),
});

/** Notifications shown through vscode.window, newest last: `{ kind, message }`. */
export const shownMessages: { kind: 'error' | 'warning' | 'info'; message: string }[] = [];

const show = (kind: 'error' | 'warning' | 'info') => async (message: string) => {
  shownMessages.push({ kind, message });
  return undefined;
};

export const fakeVscode = {
  EventEmitter,
  MarkdownString,
  TreeItem,
  ThemeIcon,
  ThemeColor,
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  QuickPickItemKind: { Separator: -1, Default: 0 },
  Uri: {
    from: (c: { scheme: string; authority?: string; path: string }) => uri(c.scheme, c.path, c.authority),
    file: (p: string) => uri('file', p),
    parse: (s: string) => uri(s.slice(0, s.indexOf(':')), s.slice(s.indexOf(':') + 1)),
  },
  Disposable: class {
    static from() {
      return { dispose() {} };
    }
    constructor(private readonly f: () => void) {}
    dispose() {
      this.f();
    }
  },
  l10n: { t: (message: string, ...args: unknown[]) => message.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)])) },
  window: { showErrorMessage: show('error'), showWarningMessage: show('warning'), showInformationMessage: show('info') },
  commands: { executeCommand: async () => undefined },
  workspace: {
    getConfiguration: () => ({ get: () => undefined }),
    /** Tests set these to stand for an open folder and its trust. */
    workspaceFolders: undefined as { uri: { scheme: string; fsPath: string } }[] | undefined,
    isTrusted: true,
  },
  env: {},
};

const resolve = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
const load = resolve._load;
resolve._load = function (request: string, parent: unknown, isMain: boolean) {
  return request === 'vscode' ? fakeVscode : load.call(this, request, parent, isMain);
};
