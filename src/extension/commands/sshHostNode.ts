// The ssh host a Processes-view row stands for (host group rows have the id `ssh:<host>`).
export function sshHostOfNode(node: unknown): string | undefined {
  const id = (node as { kind?: string; group?: { id?: unknown } } | undefined)?.group?.id;
  return typeof id === 'string' && id.startsWith('ssh:') ? id.slice('ssh:'.length) : undefined;
}
