// `snag-remote://<target id>/<path>`: a file on the target a dump or a sampling session read (an
// ssh host), fetched through that target's readFile and shown read-only, so frames that have no
// copy in the workspace still open at their line. Which frames do is core's one rule (opensRemotely).
import * as vscode from 'vscode';
import type { Frame, TargetRef } from '../../core/model';
import { opensRemotely } from '../../core/mapping/opensRemotely';
import type { Target } from '../../core/targets/target';

export const REMOTE_SCHEME = 'snag-remote';

/** What the remote documents need of a target: it, by the id its frames came with. */
export type TargetById = (id: string) => Promise<Pick<Target, 'readFile'> | undefined>;

/** The read-only document for a frame (a dump's, or a profile's frame or row) that opens on its target. */
export function remoteFrameUri(target: TargetRef | undefined, frame: Pick<Frame, 'file' | 'line' | 'localFile' | 'mapping'>): vscode.Uri | undefined {
  if (!target || !opensRemotely(frame)) return undefined;
  // The id may hold `@` and `:` (ssh:user@host, ssh://…): keep it out of URI parsing.
  return vscode.Uri.from({ scheme: REMOTE_SCHEME, authority: encodeURIComponent(target.id), path: frame.file });
}

/**
 * Where a frame's line shows, for dumps and sampling alike: its local file, else the read-only
 * remote document's URI; undefined when it opens nowhere.
 */
export function frameDocumentOf(target: TargetRef | undefined): (f: Pick<Frame, 'file' | 'line' | 'localFile' | 'mapping'>) => string | undefined {
  return (f) => f.localFile ?? remoteFrameUri(target, f)?.toString();
}

/** The key marks are filed under for an open document (a local path or a remote URI); undefined for others. */
export function documentKey(uri: vscode.Uri): string | undefined {
  if (uri.scheme === 'file') return uri.fsPath;
  return uri.scheme === REMOTE_SCHEME ? uri.toString() : undefined;
}

export class RemoteDocuments implements vscode.TextDocumentContentProvider {
  constructor(private readonly targetById: TargetById) {}

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const id = decodeURIComponent(uri.authority);
    const target = await this.targetById(id);
    if (!target?.readFile) throw new Error(vscode.l10n.t('{0} is not a target Snag knows (add an SSH host with Snag: Add SSH Host…).', id));
    const controller = new AbortController();
    const sub = token.onCancellationRequested(() => controller.abort());
    try {
      return await target.readFile(uri.path, controller.signal);
    } finally {
      sub.dispose();
    }
  }
}
