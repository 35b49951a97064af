// The two readings of a process's TCP sockets, recorded from one real process (IPv4, IPv6,
// IPv4-mapped and dual-stack sockets; listening and connected): `ss -t -a -n -i -e` must give the
// same sockets as /proc/PID/net/tcp{,6}, plus how long each has been silent.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseSocketFds, parseSsTable, parseTcpTable } from '../../src/core/proc/sockets';

const OUT = join(__dirname, '..', 'fixtures', 'outputs');
const proc = readFileSync(join(OUT, 'proc-net-tcp-mixed.txt'), 'utf8');
const ss = readFileSync(join(OUT, 'ss-tai-mixed.txt'), 'utf8');
const fds = parseSocketFds(proc.split('# tcp')[0]!.replace(/^(\d+) -> /gm, 'x $1 -> '));

describe('ss table vs /proc tables', () => {
  it('reads the same nine sockets with the same ends, states and queues', () => {
    assert.equal(fds.size, 9);
    const fromProc = parseTcpTable(proc, fds);
    const fromSs = parseSsTable(ss, fds);
    assert.equal(fromProc.length, 9);
    assert.deepEqual(
      fromSs.map(({ lastReceiveMs: _r, lastSendMs: _s, ...rest }) => rest),
      fromProc,
    );
  });

  it('adds the silence times of each connection from its tcp_info line', () => {
    const byFd = new Map(parseSsTable(ss, fds).map((s) => [s.fd, s]));
    const conn = byFd.get(5)!;
    assert.equal(conn.state, 'established');
    assert.equal(conn.lastReceiveMs, 1156);
    assert.equal(conn.lastSendMs, 1156);
    assert.equal(byFd.get(6)!.rxQueue, 10, 'the unread bytes of the accepted side');
    // A listening socket has no such times.
    assert.equal(byFd.get(3)!.lastReceiveMs, undefined);
  });

  it('ignores sockets of other processes and rows it cannot read', () => {
    const other = new Map([[1, 3]]);
    assert.deepEqual(parseSsTable(ss, other), []);
    assert.deepEqual(parseSsTable('ESTAB 0 0 nonsense here ino:86587\n\t lastrcv:5\n', fds), []);
    assert.deepEqual(parseSsTable('', fds), []);
  });
});
