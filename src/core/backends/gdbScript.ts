// The Python program Snag runs inside gdb (gdb -batch): it attaches, reads every thread's native and
// Python frames, detaches, and prints one JSON document between marker lines (parsed by gdbParse.ts).
// The program is snag_gdb.py beside this file, imported as its text: esbuild puts it in the bundle
// (loader '.py': 'text' in esbuild.mjs) and scripts/load-text.mjs does the same under tsx. gdb.ts hands
// it to gdb on the command line, so it also reaches gdb inside containers and on ssh hosts without
// copying a file there.
import GDB_PROGRAM from './snag_gdb.py';

export const GDB_SCRIPT_BEGIN = '@@SNAG-GDB-BEGIN@@';
export const GDB_SCRIPT_END = '@@SNAG-GDB-END@@';
/** Starts each progress line the program writes on stderr while it reads many threads. */
export const GDB_SCRIPT_PROGRESS = '@@SNAG-GDB-PROGRESS@@';

export const GDB_SCRIPT: string = GDB_PROGRAM;
