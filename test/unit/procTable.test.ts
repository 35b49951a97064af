// The local process table from /proc, checked against what ps printed for the same process at the
// same moment (test/fixtures/outputs/proc-rows.txt: stat, status, uptime, then the ps line).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseProcRow, psCommand } from '../../src/core/proc/procTable';
import { parsePasswd, userNames } from '../../src/core/proc/userNames';
import { parsePs } from '../../src/core/targets/psParse';
import { REPO } from '../support/programs';

interface Recorded {
  pid: number;
  stat: string;
  status: string;
  uptime: number;
  ps: string;
}

function records(): Recorded[] {
  const text = readFileSync(join(REPO, 'test', 'fixtures', 'outputs', 'proc-rows.txt'), 'utf8');
  return text
    .split(/^== /m)
    .filter(Boolean)
    .map((block) => {
      const pid = Number(block.slice(0, block.indexOf('\n')));
      const part = (name: string) => new RegExp(`^-- ${name}\\n([\\s\\S]*?)(?=^-- |$(?![\\s\\S]))`, 'm').exec(block)![1]!;
      return { pid, stat: part('stat'), status: part('status'), uptime: Number(part('uptime').split(' ')[0]), ps: part('ps') };
    });
}

describe('parseProcRow on recorded /proc files', () => {
  const all = records();

  it('reads every recorded process', () => {
    assert.deepEqual(
      all.map((r) => r.pid),
      [4, 17747, 17827, 17751, 18176],
    );
  });

  for (const r of all) {
    it(`agrees with ps on pid ${r.pid} (${parsePs(r.ps)[0]!.state})`, () => {
      const ps = parsePs(r.ps)[0]!;
      const row = parseProcRow(r.pid, r.stat, r.status, r.uptime);
      assert.ok(row);
      assert.equal(row.ppid, ps.ppid);
      assert.equal(row.state, ps.state, 'STAT with its flags');
      assert.equal(row.threads, ps.threads);
      assert.equal(row.rssKb, ps.rssKb);
      assert.equal(row.uid, 0);
      assert.ok(Math.abs(row.elapsedSeconds - ps.elapsedSeconds) <= 1, `elapsed ${row.elapsedSeconds} vs ps ${ps.elapsedSeconds}`);
      // ps ran a moment later: its lifetime share may have moved by a tick.
      assert.ok(Math.abs(row.cpuPercent - ps.cpuPercent) <= 0.3, `%CPU ${row.cpuPercent} vs ps ${ps.cpuPercent}`);
    });
  }

  it('names a kernel thread and a zombie as ps does', () => {
    for (const pid of [4, 17827]) {
      const r = all.find((x) => x.pid === pid)!;
      assert.equal(psCommand([], parseProcRow(pid, r.stat, r.status, r.uptime)), parsePs(r.ps)[0]!.command);
    }
    assert.equal(psCommand(['sleep', '60'], undefined), 'sleep 60');
  });

  it('reads a name with spaces and parens up to the last paren', () => {
    const r = all.find((x) => x.pid === 17751)!;
    const forged = r.stat.replace('(sleep)', '(a) b (c)');
    const row = parseProcRow(r.pid, forged, r.status, r.uptime)!;
    assert.equal(row.comm, 'a) b (c');
    assert.equal(row.state, 'Ss+');
  });

  it('refuses a stat without its fields', () => {
    assert.equal(parseProcRow(1, '1 (init', '', 100), undefined);
    assert.equal(parseProcRow(1, '1 (init) S', '', 100), undefined);
  });
});

describe('parsePasswd', () => {
  it('maps uids to names, the first entry of a uid winning', () => {
    const names = parsePasswd('root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\ntoor:x:0:0::/root:/bin/sh\n+ldap\n\n');
    assert.deepEqual(
      [...names],
      [
        [0, 'root'],
        [1, 'daemon'],
      ],
    );
  });
});

describe('userNames', () => {
  it('names uid 0 and shows a uid nobody has as its number, as ps does', async () => {
    const names = await userNames([0, 0, 987_654]);
    assert.deepEqual(
      [...names],
      [
        [0, 'root'],
        [987_654, '987654'],
      ],
    );
  });
});
