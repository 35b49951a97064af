// One rule for the container a user names (`--container`, a picked row), applied before any engine
// CLI sees it: an id or a name as docker and podman make them. Anything else could be read by the
// CLI as an option (`--latest` picks a container the user never named) or is no container at all.
import { SnagError } from '../errors';
import { safeText } from '../text/safeText';

/** Docker's and podman's names (`[a-zA-Z0-9][a-zA-Z0-9_.-]+`, `/` allowed first) and hex ids. */
const CONTAINER_NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/;

/** Throws a bad-input SnagError unless `nameOrId` can name a container; returns it without a leading `/`. */
export function checkContainerName(nameOrId: string): string {
  if (CONTAINER_NAME.test(nameOrId)) return nameOrId.replace(/^\//, '');
  const shown = nameOrId.length > 40 ? `${nameOrId.slice(0, 40)}…` : nameOrId;
  throw new SnagError(
    'bad-input',
    nameOrId.trim() === ''
      ? 'No container named: give a container name or id (snag ps --docker lists them).'
      : `"${safeText(shown)}" is not a container name or id: names and ids are letters, digits, "_", "." and "-", not first (snag ps --docker lists them).`,
  );
}
