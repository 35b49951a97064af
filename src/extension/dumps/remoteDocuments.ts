// `snag-remote://<host>/<path>`: a file on an ssh host, fetched over the host's shared connection
// and shown read-only, so frames that have no copy in the workspace still open at their line.
import * as vscode from 'vscode';
import type { Frame, TargetRef } from '../../core/model';
import type { SshHosts } from '../targets/sshTargetProvider';

export const REMOTE_SCHEME = 'snag-remote';

/** The ssh host a dump's target lives on (a container on a host does not count: its paths are the container's). */
function sshHostOf(target: TargetRef | undefined): string | undefined {
  return target?.kind === 'ssh' && target.id.startsWith('ssh:') ? target.id.slice('ssh:'.length) : undefined;
}

/** A file on the target's ssh host as a read-only document; undefined for other targets. */
function remoteFileUri(target: TargetRef | undefined, file: string): vscode.Uri | undefined {
  const host = sshHostOf(target);
  if (!host || !file.startsWith('/')) return undefined;
  // The host may hold `@` and `:` (user@host, ssh://…): keep it out of URI parsing.
  return vscode.Uri.from({ scheme: REMOTE_SCHEME, authority: encodeURIComponent(host), path: file });
}

/** The read-only document for a frame that was not found here but can be read on its host. */
export function remoteFrameUri(target: TargetRef | undefined, frame: Frame): vscode.Uri | undefined {
  if (frame.localFile || frame.mapping?.method !== 'remote') return undefined;
  return remoteFileUri(target, frame.file);
}

/**
 * Where a sampled line opens: its local file, else (the user's code on an ssh host, which the
 * mapper marks as such only when the host can serve it) the read-only remote document's URI.
 */
export function sampledDocumentOf(
  target: TargetRef | undefined,
): (x: { file: string; line: number; localFile?: string; isUserCode: boolean }) => string | undefined {
  return (x) => x.localFile ?? (x.isUserCode && x.line > 0 ? remoteFileUri(target, x.file)?.toString() : undefined);
}

/** The key marks are filed under for an open document (a local path or a remote URI); undefined for others. */
export function documentKey(uri: vscode.Uri): string | undefined {
  if (uri.scheme === 'file') return uri.fsPath;
  return uri.scheme === REMOTE_SCHEME ? uri.toString() : undefined;
}

export class RemoteDocuments implements vscode.TextDocumentContentProvider {
  constructor(private readonly hosts: SshHosts) {}

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const host = decodeURIComponent(uri.authority);
    const target = await this.hosts.find(host);
    if (!target) throw new Error(vscode.l10n.t('{0} is not a known SSH host (add it with Snag: Add SSH Host…).', host));
    const controller = new AbortController();
    const sub = token.onCancellationRequested(() => controller.abort());
    try {
      return await target.readFile(uri.path, controller.signal);
    } finally {
      sub.dispose();
    }
  }
}
