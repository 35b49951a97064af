// Bounds on what `snag open` reads: a pasted or saved dump is untrusted text of any size, so it is
// read line by line within a byte cap, and the stacks kept from it are bounded too.
import { DUMP_OUTPUT_MAX_BYTES } from '../validate/limits';

/** Text formats (py-spy text, tracebacks, faulthandler, gdb) are read line by line up to this. */
export const MAX_OPEN_BYTES = 32 * 1024 * 1024;
/** JSON formats are parsed whole: the same cap as a live `py-spy dump --json` (memory, see limits.ts). */
export const MAX_OPEN_JSON_BYTES = DUMP_OUTPUT_MAX_BYTES;
/** Threads kept from one dump; the rest are counted in a note. */
export const MAX_OPEN_THREADS = 5000;
/** Frames kept per thread (deep recursion); the rest are counted in a note. */
export const MAX_OPEN_FRAMES = 1000;
/** A line longer than this is cut (a one-line 30 MB blob must not become one huge string twice). */
export const MAX_LINE_CHARS = 64 * 1024;
/** How much of the start the format is recognised from. */
export const DETECT_HEAD_CHARS = 64 * 1024;
/** Lines parsed between yields to the event loop (the editor stays responsive during a huge paste). */
export const LINES_PER_YIELD = 5000;
