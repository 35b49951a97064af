// Reaching inside a running container: argv is prefixed with `<engine> exec` and run on the
// engine's parent (this machine or an ssh host), so runners compose.
import type { RunOptions } from '../run';
import type { ContainerEngine } from './containerEngine';
import type { Runner } from '../runner';

/** Runs argv inside a running container: `<engine> exec [-u user] [-e K=V]… <id> argv…` on the parent. */
export function containerRunner(engine: ContainerEngine, containerId: string, user?: string): Runner {
  const prefix = (env?: NodeJS.ProcessEnv) => [
    'exec',
    ...(user ? ['-u', user] : []),
    // The caller's extra environment belongs to the program inside, not to the engine's CLI.
    ...Object.entries(env ?? {}).flatMap(([k, v]) => (v === undefined ? [] : ['-e', `${k}=${v}`])),
    containerId,
  ];
  return {
    run: (argv, opts: RunOptions = {}) => {
      const { env, ...rest } = opts;
      return engine.parent.runner.run(engine.argv([...prefix(env), ...argv]), rest);
    },
    wrap: (argv) => engine.parent.runner.wrap(engine.argv([...prefix(), ...argv])),
  };
}
