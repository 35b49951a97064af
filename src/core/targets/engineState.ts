// Whether a container engine is worth an error: one that is merely not there (its CLI missing, or
// installed with no daemon or socket answering, the usual laptop) is a quiet hint, never an error
// and never a place to pick a process from; one that answered earlier in this session and now does
// not (its daemon stopped) is an error, because something the user relied on went away.
import { SnagError } from '../errors';
import type { ContainerEngine, EngineInfo } from './containerEngine';
import { engineComplaint } from './containerErrors';
import { whereOf } from './targetPlace';

/** ready: it answers. absent: not installed or not started. failed: it went away, or refuses this user. */
export type EngineState = 'ready' | 'absent' | 'failed';

export interface EngineProbe {
  engine: ContainerEngine;
  info?: EngineInfo;
  error?: unknown;
}

/** A failure that only says the engine is not there: no CLI, or nothing answering at its socket. */
export function isEngineAbsence(error: unknown): boolean {
  return SnagError.is(error, 'tool-not-found') || SnagError.is(error, 'unreachable');
}

/** Remembers which engines answered in this session, so a daemon that stopped is told from one never started. */
export class EngineWatch {
  private readonly answered = new Set<string>();

  judge(probe: EngineProbe): EngineState {
    if (!probe.error) {
      this.answered.add(probe.engine.id);
      return 'ready';
    }
    return isEngineAbsence(probe.error) && !this.answered.has(probe.engine.id) ? 'absent' : 'failed';
  }

  /** Whether this engine answered at some point (its later failures are errors). */
  hasAnswered(engine: ContainerEngine): boolean {
    return this.answered.has(engine.id);
  }
}

const START: Record<ContainerEngine['kind'], string> = {
  docker: 'start the daemon (sudo systemctl start docker, or open Docker Desktop), or point DOCKER_HOST or the docker context at one that runs',
  podman: 'start its service (podman machine start, or systemctl --user start podman.socket), or point CONTAINER_HOST at one that runs',
};

/** One sentence for the hint row: what is missing and how to start it. */
export function absentEngineHint(engine: ContainerEngine, error: unknown): string {
  const where = whereOf(engine.parent);
  if (SnagError.is(error, 'tool-not-found')) return `${engine.label} is not installed on ${where}. Install it to see its containers here.`;
  const cause = SnagError.is(error) ? error.cause : error;
  const at = /\bat (\S+?)\.?(\s|$)/.exec(engineComplaint(cause))?.[1];
  return `${engine.label} is installed but no ${engine.kind === 'docker' ? 'daemon' : 'service'} answers${at ? ` at ${at}` : ''}. To see its containers, ${START[engine.kind]}.`;
}
