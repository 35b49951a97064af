// A way into a container whose image has no py-spy and takes no copy: a short-lived sidecar that
// shares the target's PID namespace, with SYS_PTRACE, no network and Snag's py-spy mounted
// read-only, started from the target's own image (already on the engine: nothing is pulled).
// As a Runner it runs one tool argv per sidecar, so the guard treats it like any other place.
import { randomBytes } from 'node:crypto';
import { SnagError } from '../errors';
import type { RunOptions, RunResult } from '../run';
import type { ContainerDetails, ContainerEngine } from './containerEngine';
import type { Runner } from '../runner';

/** Label on every sidecar (value: the target container's id), so leftovers can be found. */
export const SIDECAR_LABEL = 'dev.snag.sidecar';
/** Where Snag's py-spy appears inside the sidecar. */
export const SIDECAR_PYSPY = '/snag-tools/py-spy';

const CREATE_TIMEOUT_MS = 30_000;
const CLEANUP_TIMEOUT_MS = 15_000;

export interface SidecarOptions {
  /** The sidecar gets SYS_PTRACE (default true; false only to see a real refusal). */
  sidecarAddsPtrace?: boolean;
  /** Extra `create` arguments for the sidecar (a security policy's options, tests). */
  sidecarRunArgs?: readonly string[];
}

/** A runner whose run(argv) starts argv (argv[0] is SIDECAR_PYSPY) in a new sidecar of `target`. */
export function sidecarRunner(engine: ContainerEngine, target: ContainerDetails, pyspyOnHost: string, options: SidecarOptions = {}): Runner {
  const createArgs = (name: string, argv: readonly string[], env?: NodeJS.ProcessEnv) => [
    'create',
    '--rm',
    '--name',
    name,
    '--label',
    `${SIDECAR_LABEL}=${target.id}`,
    '--network',
    'none',
    '--pid',
    `container:${target.id}`,
    ...(options.sidecarAddsPtrace === false ? [] : ['--cap-add', 'SYS_PTRACE']),
    '--user',
    '0',
    '--pull',
    'never',
    '--log-driver',
    'none',
    '--entrypoint',
    argv[0]!,
    '-v',
    `${pyspyOnHost}:${SIDECAR_PYSPY}:ro`,
    ...Object.entries(env ?? {}).flatMap(([k, v]) => (v === undefined ? [] : ['-e', `${k}=${v}`])),
    ...(options.sidecarRunArgs ?? []),
    target.imageId || target.image,
    ...argv.slice(1),
  ];
  return {
    async run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
      const name = `snag-sidecar-${randomBytes(6).toString('hex')}`;
      // create, then start: a Cancel never lands between "the daemon made it" and "we know its name",
      // and killing the CLI (timeout, Cancel) does not stop a container, so it is removed by name:
      // that also ends a tool that hangs in it.
      await engine.exec(createArgs(name, argv, opts.env), { timeoutMs: CREATE_TIMEOUT_MS });
      let ok = false;
      try {
        if (opts.signal?.aborted) throw new SnagError('cancelled', 'Cancelled before the sidecar started.');
        const { env: _env, ...rest } = opts;
        const r = await engine.exec(['start', '--attach', name], { ...rest });
        ok = true;
        return r;
      } finally {
        if (!ok) await engine.exec(['rm', '-f', name], { timeoutMs: CLEANUP_TIMEOUT_MS, okExitCodes: [0, 1] }).catch(() => undefined);
      }
    },
    wrap: (argv) => engine.parent.runner.wrap(engine.argv(createArgs('snag-sidecar', argv))),
  };
}
