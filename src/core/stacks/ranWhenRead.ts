// Whether a thread was running when its stack was taken, for stacks that carry no kernel state (a
// core file, a pasted gdb backtrace). A thread that waits is inside a system call, so its innermost
// native frame is a libc wrapper of one (read, poll, futex, nanosleep…); a thread stopped anywhere
// else was running code (the Python loop, a C computation). Python frames innermost in a merged
// stack stand where the eval loop's own C frame was: it was running bytecode. Without any native
// frame nothing is said.
import type { Frame } from '../model';

/** libc's waiting system calls and the helpers glibc builds them from, with glibc's prefixes taken off. */
const WAITING_CALL =
  /^(read|readv|pread|recv|recvfrom|recvmsg|recvmmsg|write|writev|send|sendto|sendmsg|select|pselect6?|poll|ppoll|epoll_wait|epoll_pwait2?|accept4?|connect|nanosleep|clock_nanosleep|sleep|usleep|pause|sigsuspend|sigtimedwait|sigwaitinfo|sigwait|wait|wait3|wait4|waitpid|waitid|flock|fcntl|ioctl|msgrcv|msgsnd|semop|semtimedop|syscall|open|openat|futex|sem_wait|sem_timedwait|sem_clockwait|do_futex_wait|lll_lock_wait|pthread_cond_wait|pthread_cond_timedwait|pthread_cond_clockwait|pthread_join|futex_abstimed_wait|futex_wait|new_sem_wait|pthread_clockjoin_ex|pthread_timedjoin_ex|internal_syscall_cancel|syscall_cancel|syscall_cancel_arch)$/;

function bare(name: string): string {
  return name
    .replace(/@.*$/, '')
    .replace(/^_*(GI_+)?/, '')
    .replace(/^libc_/, '')
    .replace(/(64|_time64|_nocancel|_common|_cancelable|_slow)+$/, '');
}

/** Is this frame a system call that waits (or glibc's way into one)? */
export function isWaitingCall(f: Frame): boolean {
  return f.native === true && WAITING_CALL.test(bare(f.function));
}

/**
 * Was the thread running when the stack was taken, by its innermost native frame; undefined when
 * the stack has no native frame to tell (then the reader's own state, if any, stands).
 */
export function ranWhenRead(frames: readonly Frame[]): boolean | undefined {
  const inner = frames.find((f) => f.native && !/^(0x[0-9a-f]+|\?\?)$/i.test(f.function));
  if (!inner) return undefined;
  return frames[0]!.native ? !isWaitingCall(inner) : true;
}
