// Where the process lives, as the command line says it: the options, help lines and choice of target
// of every kind in core's registry (src/core/kinds/registry.ts), so a new kind needs no line here.
import { SnagError } from '../core/errors';
import { TARGET_KINDS } from '../core/kinds/registry';
import type { CliOptions, CliValues, KindContext, TargetKindDescriptor } from '../core/kinds/targetKind';
import { parseDecimal } from './options';

const merged = (pick: (k: TargetKindDescriptor) => CliOptions | undefined): CliOptions =>
  Object.assign({}, ...TARGET_KINDS.map((k) => ({ ...k.options, ...pick(k) })));

/** The target options of `snag ps`. */
export const TARGET_PS_OPTIONS: CliOptions = merged((k) => k.psOptions);
/** The target options of `snag dump` and `snag sample`. */
export const TARGET_READ_OPTIONS: CliOptions = merged((k) => k.readOptions);

/** The kinds' lines of `snag --help`: under usage, under the options of dump and sample, and the choice of one (`--container NAME | --ssh HOST`). */
export const TARGET_USAGE = {
  ps: TARGET_KINDS.flatMap((k) => k.usage.ps).join('\n'),
  read: TARGET_KINDS.flatMap((k) => k.usage.read).join('\n'),
  pick: TARGET_KINDS.flatMap((k) => k.usage.pick ?? []).join(' | '),
};

/** The option of `kind` that was given, if any. */
function pickedFlag(kind: TargetKindDescriptor, values: CliValues): string | undefined {
  return kind.pickedBy.find((name) => values[name] !== undefined && values[name] !== false);
}

/**
 * The kind the options name (this machine when none does). Two kinds name different places: with
 * both, snag would quietly read one of them, so that is refused, with why from the kind that knows.
 */
export function pickKind(values: CliValues): TargetKindDescriptor {
  const picked = TARGET_KINDS.map((kind) => ({ kind, flag: pickedFlag(kind, values) })).filter(
    (p): p is { kind: TargetKindDescriptor; flag: string } => !!p.flag,
  );
  if (picked.length > 1) {
    const first = picked.find((p) => p.kind.alone) ?? picked[0]!;
    const other = picked.find((p) => p !== first)!;
    const why = first.kind.alone?.(String(values[other.flag])) ?? 'each names another place; drop one of the two.';
    throw new SnagError('bad-input', `--${first.flag} and --${other.flag} cannot be combined: ${why}`);
  }
  return picked[0]?.kind ?? TARGET_KINDS.find((k) => k.pickedBy.length === 0)!;
}

/** What a kind may ask the CLI for while it opens a target. */
export function kindContext(signal?: AbortSignal, localPySpy?: () => Promise<string>): KindContext {
  return {
    localPySpy,
    signal,
    seconds: (flag, spec, max) => (spec === undefined ? undefined : parseDecimal(flag, spec, 'seconds', max)),
  };
}
