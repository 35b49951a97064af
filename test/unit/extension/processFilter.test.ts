// The Processes view's text filter keeps parents of matching children.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildProcessTree } from '../../../src/core/format/processTree';
import type { ProcessInfo } from '../../../src/core/model';
import { filterProcessForest, processMatches } from '../../../src/extension/targets/processFilter';

const p = (pid: number, ppid: number, name: string, command = `python3 ${name}`): ProcessInfo => ({
  pid,
  ppid,
  user: 'me',
  state: 'S',
  cpuPercent: 0,
  rssKb: 1,
  threads: 1,
  elapsedSeconds: 1,
  command,
  name,
  isPython: true,
});

describe('process filter', () => {
  const forest = buildProcessTree([p(10, 1, 'gunicorn'), p(11, 10, 'worker-a'), p(12, 10, 'worker-b'), p(20, 1, 'celery', 'python3 -m celery --queue slow')]);
  const names = (nodes: ReturnType<typeof filterProcessForest>): string[] =>
    nodes.flatMap((n) => [n.process.name, ...names(n.children).map((c) => `${n.process.name}/${c}`)]);

  it('empty filter keeps everything', () => assert.deepEqual(names(filterProcessForest(forest, '  ')), names(forest)));
  it('a matching child keeps its parent', () => assert.deepEqual(names(filterProcessForest(forest, 'worker-b')), ['gunicorn', 'gunicorn/worker-b']));
  it('matches the command line, the pid and all words', () => {
    assert.deepEqual(names(filterProcessForest(forest, 'slow')), ['celery']);
    assert.deepEqual(names(filterProcessForest(forest, '11')), ['gunicorn', 'gunicorn/worker-a']);
    assert.equal(processMatches(p(1, 0, 'a', 'python3 -m celery'), 'CELERY python'), true);
    assert.equal(processMatches(p(1, 0, 'a', 'python3 -m celery'), 'celery django'), false);
  });
});
