// "Remove SSH Host" on a host added through snag.sshHosts (hosts from ~/.ssh/config stay: edit that file).
import { removeSshHostSetting } from '../targets/sshTargetProvider';
import { sshHostOfNode } from './sshHostNode';

export function removeSshHost(): (node?: unknown) => Promise<void> {
  return async (node?: unknown) => {
    const host = sshHostOfNode(node);
    if (host) await removeSshHostSetting(host);
  };
}
