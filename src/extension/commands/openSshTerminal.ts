// "Open SSH Terminal" on a host: a terminal running `ssh HOST`, where the user can accept a host
// key or unlock a key themselves (Snag runs ssh with BatchMode and never answers such prompts).
import { openSshTerminal as openTerminal } from '../targets/sshTargetProvider';
import { sshHostOfNode } from './sshHostNode';

export function openSshTerminal(): (node?: unknown) => void {
  return (node?: unknown) => {
    const host = sshHostOfNode(node);
    if (host) openTerminal(host);
  };
}
