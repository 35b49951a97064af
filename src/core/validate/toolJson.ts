// Reading a tool's JSON without trusting it: any output that is not what Snag expects becomes one
// tool-failed SnagError naming the tool and what was wrong, never a raw "Unexpected token" or
// "Cannot read properties of undefined".
import { SnagError } from '../errors';
import { safeText } from '../text/safeText';

/** What the output starts with, quoted and safe to show. */
function opening(text: string): string {
  const start = text.trimStart();
  const line = start.split('\n')[0]!.trimEnd();
  const head = line.slice(0, 40);
  return `"${safeText(head)}${head.length < start.trimEnd().length ? '…' : ''}"`;
}

/** A tool's output that is not what Snag expects. */
export function badOutput(tool: string, what: string): SnagError {
  return new SnagError(
    'tool-failed',
    `${tool} printed output Snag cannot read: ${what}. Check that this ${tool} works (run it by hand on the process), and try again.`,
    ['show-log'],
  );
}

/** JSON.parse, with a failure told as the tool's bad output (where it broke off or went wrong). */
export function parseToolJson(tool: string, text: string): unknown {
  if (!text.trim()) throw badOutput(tool, 'it printed nothing');
  try {
    return JSON.parse(text);
  } catch (err) {
    const msg = err instanceof Error ? err.message : '';
    const at = /position (\d+)/.exec(msg)?.[1];
    const cut = /end of JSON|Unterminated/i.test(msg) || (at !== undefined && Number(at) >= text.trimEnd().length - 1);
    const why = cut ? 'its JSON breaks off before the end (cut short)' : at !== undefined ? `it is not valid JSON at byte ${at}` : 'it is not valid JSON';
    throw badOutput(tool, `${why}; it starts with ${opening(text)}`);
  }
}

/** Field checks for parsed tool output: each throws badOutput naming the field and where it is. */
export class Shape {
  constructor(
    readonly tool: string,
    readonly where: string,
  ) {}

  private fail(field: string, expected: string, got: unknown): never {
    const kind = typeof got;
    const shown =
      got === undefined
        ? 'missing'
        : got === null
          ? 'null'
          : Array.isArray(got)
            ? 'a list'
            : kind === 'string'
              ? 'text'
              : kind === 'object'
                ? 'an object'
                : `a ${kind}`;
    throw badOutput(this.tool, `${this.where ? `${this.where}: ` : ''}${field} should be ${expected}, is ${shown}`);
  }

  object(v: unknown, field: string): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(field, 'an object', v);
    return v as Record<string, unknown>;
  }

  list(v: unknown, field: string): unknown[] {
    if (!Array.isArray(v)) this.fail(field, 'a list', v);
    return v;
  }

  string(v: unknown, field: string): string {
    if (typeof v !== 'string') this.fail(field, 'text', v);
    return v;
  }

  number(v: unknown, field: string): number {
    if (typeof v !== 'number') this.fail(field, 'a number', v);
    // JSON.parse reads 1e400 as Infinity: a number, but no line or thread id.
    if (!Number.isFinite(v)) throw badOutput(this.tool, `${this.where ? `${this.where}: ` : ''}${field} should be a finite number, is not finite`);
    return v;
  }

  /** A count or a line number: a whole number from 0 up to 2^53 - 1 (0: not known). */
  count(v: unknown, field: string): number {
    const n = this.number(v, field);
    if (!Number.isSafeInteger(n) || n < 0)
      throw badOutput(this.tool, `${this.where ? `${this.where}: ` : ''}${field} should be a whole number from 0 up, is ${n}`);
    return n;
  }

  /** A pid or an id: a whole number from 1 up to 2^53 - 1. */
  positive(v: unknown, field: string): number {
    const n = this.count(v, field);
    if (n === 0) throw badOutput(this.tool, `${this.where ? `${this.where}: ` : ''}${field} should be a whole number from 1 up, is 0`);
    return n;
  }

  optionalPositive(v: unknown, field: string): number | undefined {
    return v === undefined || v === null ? undefined : this.positive(v, field);
  }

  optionalString(v: unknown, field: string): string | undefined {
    return v === undefined || v === null ? undefined : this.string(v, field);
  }

  optionalNumber(v: unknown, field: string): number | undefined {
    return v === undefined || v === null ? undefined : this.number(v, field);
  }

  /** Booleans from tools are read loosely (a missing flag is false), as py-spy's optional fields are. */
  flag(v: unknown): boolean {
    return v === true;
  }

  at(where: string): Shape {
    return new Shape(this.tool, where);
  }
}
