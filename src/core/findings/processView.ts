// What the finding rules may ask about the live process behind the stacks, each read only when a
// rule needs it (a socket wait asks for the sockets, a wait for a child process for the children's
// dumps), once per diagnosis. Absent for stacks with no live process (a loaded profile, a test).
import type { StackDump, ThreadStack } from '../model';
import type { BlockedCall } from '../proc/blockedFd';
import type { OpenSocket } from '../proc/sockets';

export interface ChildDump {
  pid: number;
  /** Its command line ('' when unreadable). */
  command: string;
  /** Its stacks, mapped and explained (its own waits followed into its children in turn). */
  dump?: StackDump;
  /** Why it could not be read. */
  error?: string;
  /** Its stdin is a pipe whose other end this process still holds open (a Popen's p.stdin not closed). */
  stdinFromParent?: boolean;
}

export interface ProcessView {
  pid: number;
  /** The process's TCP sockets, with how long each has been silent where known; undefined: unreadable. */
  sockets(): Promise<OpenSocket[] | undefined>;
  /**
   * Dumps of its child processes (a bounded number, each read with the same reader and guard);
   * `total` counts all children, also those not dumped. Undefined when they cannot be listed (or are not followed here).
   */
  children(): Promise<{ dumps: ChildDump[]; total: number } | undefined>;
  /**
   * The threads read once more with their locals (py-spy --locals), for rules that match objects
   * across threads (which thread a join waits for); kept from the dump, never shown. Undefined: not readable.
   */
  locals(): Promise<ThreadStack[] | undefined>;
  /** The descriptor a thread (its kernel id) is blocked on, where the kernel can say (this machine only). */
  blockedFd?(nativeId: number): number | undefined;
  /** The kind of system call a thread (its kernel id) sleeps in now, where the kernel can say (this machine only). */
  blockedCall?(nativeId: number): BlockedCall | undefined;
  /** CPU ticks each thread (its kernel id) has used so far, read now (this machine only). */
  threadCpu?(): Map<number, number>;
  /** Times each thread (its kernel id) has gone to sleep so far (voluntary context switches), read now (this machine only). */
  threadWakeups?(): Map<number, number>;
}
