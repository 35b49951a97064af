import { execFileSync } from 'node:child_process';
import { parsePySpyDump } from '../src/core/backends/pyspyParse';
import { diagnose } from '../src/core/diagnose';
import { dumpToText } from '../src/core/format/dumpText';
import type { StackDump } from '../src/core/model';
import { SourceMapper } from '../src/core/sourceMap';
(async () => {
  const args = ['dump', '--pid', process.argv[2]!, '--json', ...(process.argv[3] === 'locals' ? ['--locals'] : [])];
  const json = execFileSync('/work/main/.cache/tools/bin/py-spy', args, { encoding: 'utf8', maxBuffer: 1e9 });
  if (process.env.SAVE) require('node:fs').writeFileSync(process.env.SAVE, json);
  const d0: StackDump = { pid: 1, backend: 'py-spy', takenAt: 'now', durationMs: 1, threads: parsePySpyDump(json), findings: [] };
  const d = await new SourceMapper({ workspaceRoots: ['/work/main/test/fixtures/programs'] }).mapDump(d0);
  d.findings = await diagnose(d);
  process.stdout.write(dumpToText(d));
})();
