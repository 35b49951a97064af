// "Reconnect" on an unreachable host: try now instead of after the retry pause.
import type { Services } from '../services';
import { sshHostOfNode } from './sshHostNode';

export function reconnectSshHost(s: Services): (node?: unknown) => Promise<void> {
  return async (node?: unknown) => {
    const host = sshHostOfNode(node);
    // A failure shows in the host's row (and its tooltip); no notification on top of it.
    if (host) await s.sshHosts.reconnect(host).catch(() => undefined);
  };
}
