// Every kind of target the command line offers, one line each: the CLI's options, its help and its
// choice of where a process lives come from this list (see targetKind.ts). The first kind whose
// option is given is picked; the one that no option picks (this machine) is the default.
import { containerKind } from './containerKind';
import { localKind } from './localKind';
import { sshKind } from './sshKind';
import type { TargetKindDescriptor } from './targetKind';

export const TARGET_KINDS: readonly TargetKindDescriptor[] = [localKind, containerKind, sshKind];
