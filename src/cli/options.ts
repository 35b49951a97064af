// The CLI's option values, checked before anything runs: numbers are plain decimals within documented
// bounds (a timer past 2^31-1 ms fires at once), and no option may be given an empty value (`--ssh ''`
// must not quietly mean "this machine").
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { SnagError } from '../core/errors';

/** Upper bounds, in seconds (documented in the usage text). */
export const MAX_TIMEOUT_S = 3600;
export const MAX_DURATION_S = 86_400;

const DECIMAL = /^(\d+(\.\d+)?|\.\d+)$/;

/** A plain positive decimal (`20`, `0.5`; not `1e3`, `0x10`, ` 5 `, `-1`), at most `max`. */
export function parseDecimal(flag: string, spec: string, unit: string, max: number, min = 0): number {
  const n = DECIMAL.test(spec) ? Number(spec) : NaN;
  const ok = min > 0 ? n >= min : n > 0;
  const want = min > 0 ? `${min} to ${max} ${unit}` : `a number of ${unit} like 20 or 0.5, at most ${max}`;
  if (!ok || n > max) throw new SnagError('bad-input', `${flag} expects ${want}, got ${JSON.stringify(spec)}`);
  return n;
}

/** A plain whole number from `min` to `max` (`--rate 50`; not `50.5`, which no tool takes). */
export function parseWhole(flag: string, spec: string, unit: string, max: number, min: number): number {
  const n = /^\d+$/.test(spec) ? Number(spec) : NaN;
  if (!(n >= min && n <= max)) throw new SnagError('bad-input', `${flag} expects a whole number of ${unit} from ${min} to ${max}, got ${JSON.stringify(spec)}`);
  return n;
}

/** `--timeout 20` → 20000 ms; undefined when absent. */
export function parseSeconds(flag: string, spec: string | undefined, max = MAX_TIMEOUT_S): number | undefined {
  if (spec === undefined) return undefined;
  return parseDecimal(flag, spec, 'seconds', max) * 1000;
}

/** Every string option given must say something: an empty or blank value is refused by name. */
export function requireValues(values: Record<string, unknown>): void {
  for (const [name, v] of Object.entries(values)) {
    for (const s of Array.isArray(v) ? v : [v]) {
      if (typeof s === 'string' && !s.trim())
        throw new SnagError('bad-input', `--${name} needs a value, got ${s ? 'only spaces' : 'an empty string'} (snag --help lists the options)`);
    }
  }
}

/** node:util parseArgs' own errors (ERR_PARSE_ARGS_*), kept whole, with where to look next. */
export function optionError(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS') || !(err instanceof Error)) return undefined;
  // Node's hint ends `as in '-- "--foo"` without its closing quote.
  // Some span lines ("… is ambiguous.\nDid you forget …"): one line for the terminal.
  const msg = err.message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ')
    .replace(/(as in '-- "[^"]*")$/, "$1'")
    .replace(/\.$/, '');
  return `${msg}. Run snag --help for the options.`;
}

/** `--root DIR` (default: the current folder), absolute; a folder that does not exist or is a file is refused. */
export function rootFolder(spec: string | undefined): string {
  if (spec === undefined) return process.cwd();
  const root = resolve(spec);
  let isFolder: boolean;
  try {
    isFolder = statSync(root).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SnagError(
      'bad-input',
      `--root ${spec}: ${code === 'ENOENT' || code === 'ENOTDIR' ? 'no such folder' : `cannot be read (${code ?? 'error'})`}; give the folder your project's sources are in`,
    );
  }
  if (!isFolder) throw new SnagError('bad-input', `--root ${spec} is a file, not a folder; give the folder your project's sources are in`);
  return root;
}
