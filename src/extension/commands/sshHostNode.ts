// The ssh host a Processes-view row stands for: what its host row says (TargetGroup.sshHost).
import type { TargetGroup } from '../targets/targetProviders';

export function sshHostOfNode(node: unknown): string | undefined {
  const host = (node as { group?: Pick<TargetGroup, 'sshHost'> } | undefined)?.group?.sshHost;
  return typeof host === 'string' && host ? host : undefined;
}
