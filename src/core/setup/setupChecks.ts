// What Snag needs on this machine, checked without attaching to anything: py-spy found, the
// kernel's ptrace policy (Yama's /proc/sys/kernel/yama/ptrace_scope) and whether this process holds
// CAP_SYS_PTRACE, which reading a container's processes from the host needs (the `host` way; the
// sidecar way adds SYS_PTRACE to a container of its own). Each check says what it found, and when it
// is not met, what to do. The walkthrough shows them as green or red steps.
import { readFile } from 'node:fs/promises';
import type { SetupCheck } from '../model';
import { findTool, type ToolSearch } from '../tools';

/** CAP_SYS_PTRACE's bit in /proc/<pid>/status CapEff (linux/capability.h). */
const CAP_SYS_PTRACE = 19n;

export interface SetupFacts {
  /** /proc/sys/kernel/yama/ptrace_scope, trimmed; undefined when the kernel has no Yama. */
  ptraceScope?: string;
  /** CapEff of this process, hex as in /proc/self/status; undefined when unreadable. */
  capEff?: string;
  /** Effective uid of this process. */
  uid: number;
  /** Where py-spy was found, or why not (findTool's message). */
  pyspy: { path: string } | { missing: string };
}

const readTrimmed = (path: string) =>
  readFile(path, 'utf8').then(
    (t) => t.trim(),
    () => undefined,
  );

/** The facts the checks judge, read from this machine. */
export async function readSetupFacts(search: ToolSearch = {}): Promise<SetupFacts> {
  const status = await readTrimmed('/proc/self/status');
  const capEff = status ? /^CapEff:\s*([0-9a-f]+)$/im.exec(status)?.[1] : undefined;
  let pyspy: SetupFacts['pyspy'];
  try {
    pyspy = { path: await findTool('py-spy', search) };
  } catch (err) {
    pyspy = { missing: err instanceof Error ? err.message : String(err) };
  }
  return { ptraceScope: await readTrimmed('/proc/sys/kernel/yama/ptrace_scope'), capEff, uid: process.getuid?.() ?? -1, pyspy };
}

export function hasSysPtrace(capEff: string | undefined): boolean {
  if (!capEff || !/^[0-9a-f]{1,16}$/i.test(capEff)) return false;
  return ((BigInt(`0x${capEff}`) >> CAP_SYS_PTRACE) & 1n) === 1n;
}

const SCOPE_FIX = 'Allow it until the next reboot with `sudo sysctl kernel.yama.ptrace_scope=0`, or run Snag (the CLI, or VS Code) as root.';

/** Judges the facts: one check each, in the walkthrough's order. */
export function judgeSetup(f: SetupFacts): SetupCheck[] {
  const privileged = hasSysPtrace(f.capEff);
  const pyspy: SetupCheck =
    'path' in f.pyspy
      ? { id: 'pyspy', ok: true, title: `py-spy found at ${f.pyspy.path}.` }
      : { id: 'pyspy', ok: false, title: 'py-spy was not found.', fix: `${f.pyspy.missing} Install it with \`pip install py-spy\`, or set snag.pyspyPath.` };
  return [pyspy, ptraceCheck(f.ptraceScope, privileged), sysPtraceCheck(privileged, f.uid)];
}

function ptraceCheck(scope: string | undefined, privileged: boolean): SetupCheck {
  const id = 'ptrace';
  if (scope === undefined) return { id, ok: true, title: 'The kernel has no Yama ptrace restriction: Snag may read the processes of your own user.' };
  switch (scope) {
    case '0':
      return { id, ok: true, title: 'ptrace_scope is 0: Snag may read any process of your own user.' };
    case '1':
      return privileged
        ? { id, ok: true, title: 'ptrace_scope is 1 and Snag holds CAP_SYS_PTRACE: it may read any process it can see.' }
        : {
            id,
            ok: false,
            title: 'ptrace_scope is 1: a program may attach only to its own children, so py-spy cannot read a process you started elsewhere.',
            fix: SCOPE_FIX,
          };
    case '2':
      return privileged
        ? { id, ok: true, title: 'ptrace_scope is 2 (administrators only) and Snag holds CAP_SYS_PTRACE: it may attach.' }
        : { id, ok: false, title: 'ptrace_scope is 2: only administrators (CAP_SYS_PTRACE) may attach to a process, and Snag is not one.', fix: SCOPE_FIX };
    case '3':
      return {
        id,
        ok: false,
        title: 'ptrace_scope is 3: no process may attach to another until the next reboot.',
        fix: 'Reboot, then set `kernel.yama.ptrace_scope` to 1 or 0.',
      };
    default:
      return { id, ok: false, title: `ptrace_scope is "${scope.slice(0, 20)}", which Snag does not know.`, fix: SCOPE_FIX };
  }
}

function sysPtraceCheck(privileged: boolean, uid: number): SetupCheck {
  const id = 'sys-ptrace';
  if (privileged) return { id, ok: true, title: `Snag holds CAP_SYS_PTRACE${uid === 0 ? ' (root)' : ''}: it can read a container's processes from the host.` };
  return {
    id,
    ok: false,
    title: 'Snag does not hold CAP_SYS_PTRACE, so it cannot read a container’s processes from the host.',
    fix: 'Containers are still read through `docker exec` or a copy of py-spy when the container may ptrace (`--cap-add SYS_PTRACE`, on Kubernetes `securityContext.capabilities.add: ["SYS_PTRACE"]`), or by a sidecar container, which Snag starts with SYS_PTRACE. Running Snag as root reads them from the host.',
  };
}
