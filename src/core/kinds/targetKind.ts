// A kind of target as the command line offers it: the options that pick it and shape it, its lines
// of `snag --help`, and how those options become a Target. The CLI builds its options, its help and
// its choice of target from the list in registry.ts alone, so a new kind is its own file here (and
// its Target under src/core/targets/) plus one line there; the extension's Processes view has its
// own one-line list (src/extension/targets/targetKinds.ts), as only it may import vscode.
import type { ParseArgsConfig } from 'node:util';
import type { Target } from '../targets/target';

/** Options as node:util parseArgs takes them. */
export type CliOptions = NonNullable<ParseArgsConfig['options']>;

/** Option values as parseArgs gives them (the options of every kind, checked before a kind sees them). */
export type CliValues = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

/** What the CLI lends a kind when it opens a target. */
export interface KindContext {
  /** This machine's py-spy (a kind that copies it to the target asks for it). */
  localPySpy?: () => Promise<string>;
  /** Seconds from an option (`--connect-timeout 20` → 20), checked as every CLI number is; undefined when absent. */
  seconds(flag: string, spec: string | undefined, max: number): number | undefined;
  signal?: AbortSignal;
}

/** `snag ps` of a kind that lists more than one target's processes (containers: each engine's). */
export interface PsListing {
  /** What `--json` prints. */
  json: unknown;
  /** What a person reads: lines already neutralised (safeText). */
  text: string;
}

export interface TargetKindDescriptor {
  /** What TargetRef.kind of its targets says: `local`, `docker`, `ssh`. */
  readonly id: string;
  /** Options of every command that picks a target (`snag ps`, `dump`, `sample`). */
  readonly options: CliOptions;
  /** Options of `snag ps` only. */
  readonly psOptions?: CliOptions;
  /** Options of `snag dump` and `snag sample` only. */
  readonly readOptions?: CliOptions;
  /** The options whose presence picks this kind (`container`, `docker`); none: the kind used when no other is picked. */
  readonly pickedBy: readonly string[];
  /**
   * Why this kind cannot be combined with another picked one, for the refusal: `other` is the value
   * the other option was given (`--ssh prod-1` → `prod-1`).
   */
  alone?(other: string): string;
  /**
   * Its lines in `snag --help`: under usage (`snag ps …`) and under the options of dump and sample;
   * `pick`, how a one-line usage names the option that picks it (`--ssh HOST`), absent for the kind used when none is.
   */
  readonly usage: { readonly ps: readonly string[]; readonly read: readonly string[]; readonly pick?: string };
  /** Its pids are this machine's (checked against pid_max here); otherwise against Linux's limit. */
  readonly localPids: boolean;
  /** The target the values name, for `snag dump`, `snag sample` and (without `ps` below) `snag ps`. */
  open(values: CliValues, ctx: KindContext): Promise<Target>;
  /** `snag ps` when it is more than one target's process tree; absent: open()'s processes as a tree. */
  ps?(values: CliValues, ctx: KindContext): Promise<PsListing>;
}

/** A string option's value (parseArgs checked its type; the CLI refused empty ones). */
export function stringValue(values: CliValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}
