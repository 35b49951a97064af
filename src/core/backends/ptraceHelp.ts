// What to do when ptrace refuses Snag's tool. "Run as root" is only advice for someone who is not
// root: as root the refusal comes from a capability, Yama, a security module or another tracer.
import { readFileSync } from 'node:fs';

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** CAP_SYS_PTRACE is bit 19 of the effective capability set. */
function hasSysPtrace(status: string | undefined): boolean | undefined {
  const hex = /^CapEff:\s*([0-9a-f]+)$/im.exec(status ?? '')?.[1];
  return hex === undefined ? undefined : (BigInt(`0x${hex}`) & (1n << 19n)) !== 0n;
}

/** Advice when Snag itself runs as root on this machine (the facts read from /proc). */
export function rootPtraceHelp(
  facts: { yamaScope?: string; status?: string } = { yamaScope: read('/proc/sys/kernel/yama/ptrace_scope'), status: read('/proc/self/status') },
): string {
  if (facts.yamaScope?.trim() === '3')
    return 'Snag already runs as root, but ptrace is disabled on this machine (kernel.yama.ptrace_scope=3, which only a reboot lowers)';
  if (hasSysPtrace(facts.status) === false)
    return 'Snag already runs as root but without the SYS_PTRACE capability (a container started without --cap-add SYS_PTRACE; Kubernetes: securityContext.capabilities.add: ["SYS_PTRACE"])';
  return 'Snag already runs as root, so something else refuses: another debugger may be tracing the process (only one can attach), or a security module (Yama: kernel.yama.ptrace_scope, AppArmor, SELinux, a seccomp profile) forbids ptrace';
}

/** What to do about a refused attach on `where` ('this machine' for a local target). */
export function ptraceHelp(where: string, euid: number | undefined = process.geteuid?.()): string {
  if (where === 'this machine' && euid === 0) return rootPtraceHelp();
  return "run Snag as the process's user or root, or allow ptrace (sysctl kernel.yama.ptrace_scope=0; in containers add the SYS_PTRACE capability)";
}
