// The one place that reads the text docker/podman print when they fail (they use exit codes 1,
// 125, 126 and 127 for many different things). Everything else branches on these kinds.
import { RunError } from '../run';

export type EngineFailure =
  /** The CLI itself is missing. */
  | 'cli-not-found'
  /** The daemon / service does not answer. */
  | 'engine-unreachable'
  /** The daemon answers but this user may not use it (docker group). */
  | 'engine-permission'
  /** The container was removed or stopped. */
  | 'container-gone'
  /** `exec` could not find the program inside the container. */
  | 'exec-not-found'
  /** `exec` found the program but it is for another platform (or not a binary). */
  | 'exec-format'
  /** `cp` could not find the destination folder inside the container. */
  | 'path-missing'
  /** The container's filesystem refuses writes. */
  | 'read-only'
  /** `run` found no such image (sidecar). */
  | 'image-missing'
  /** The OCI runtime could not start a container or exec process (limits, mounts, policies). */
  | 'runtime-failed';

export function engineFailure(err: unknown): EngineFailure | undefined {
  if (!RunError.is(err)) return undefined;
  if (err.failure === 'not-found') return 'cli-not-found';
  if (err.failure !== 'exit') return undefined;
  const text = `${err.stderr}\n${err.stdout}`;
  if (/permission denied while trying to connect to the (docker )?daemon socket/i.test(text)) return 'engine-permission';
  if (/Cannot connect to the Docker daemon|Is the docker daemon running|error during connect|Cannot connect to Podman|unable to connect to Podman/i.test(text))
    return 'engine-unreachable';
  if (
    /No such container|No such object|is not running|non running container|container state improper|no container with (name or )?ID|can only (create exec sessions|kill running) on running containers|container .* does not exist/i.test(
      text,
    )
  )
    return 'container-gone';
  if (
    /executable file not found|exec: "[^"]*": (stat [^:]*: )?no such file or directory|no such file or directory: OCI runtime|OCI runtime exec failed: exec failed: .*no such file/i.test(
      text,
    )
  )
    return 'exec-not-found';
  if (/exec format error/i.test(text)) return 'exec-format';
  if (/Could not find the file|no such file or directory/i.test(text) && /\bcp\b/.test(err.argv.join(' '))) return 'path-missing';
  if (/read-only file system|rootfs is marked read-only/i.test(text)) return 'read-only';
  if (/No such image|image not known|unable to find image|pull access denied/i.test(text)) return 'image-missing';
  if (/OCI runtime|(runc|crun): .*(create|exec) failed|error during container init/i.test(text)) return 'runtime-failed';
  return undefined;
}

/** The engine's own last line of complaint, for messages ("Error response from daemon: …" trimmed). */
export function engineComplaint(err: unknown): string {
  if (!RunError.is(err)) return err instanceof Error ? err.message : String(err);
  const line = `${err.stderr}`
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .find((l) => !/^Run '.* --help'/.test(l));
  return (line ?? err.message).replace(/^(docker: |Error: |Error response from daemon: )+/i, '');
}
