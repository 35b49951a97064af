// A recorded real py-spy dump (test/fixtures/outputs/pyspy-socket-recv.json) mapped to the
// fixture program, for tests of what the views make of a dump.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePySpyDump } from '../../src/core/backends/pyspyParse';
import type { StackDump } from '../../src/core/model';
import { SourceMapper } from '../../src/core/mapping/sourceMap';
import { PROGRAMS, REPO } from './programs';

export async function recordedDump(): Promise<StackDump> {
  const json = readFileSync(join(REPO, 'test', 'fixtures', 'outputs', 'pyspy-socket-recv.json'), 'utf8');
  const dump: StackDump = { pid: 5362, backend: 'py-spy', takenAt: '2026-01-01T00:00:00.000Z', durationMs: 11, threads: parsePySpyDump(json), findings: [] };
  return new SourceMapper({ workspaceRoots: [PROGRAMS] }).mapDump(dump);
}
