// A socket wait names its peer, on real programs under several pyenv Pythons: an http.client wait
// told among a listening socket, a connection with unread data and an idle one; urllib's urlopen to
// a server that never answers (the host name from the locals); a raw recv. Dumps and sampling.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { hangLine } from '../support/programs';
import { requirePythons } from '../support/pythons';
import { requireTool } from '../support/tools';
import { dumpUntil, sampleLocal, start, stopAll, titles } from '../support/waitCases';

after(stopAll);
const MINORS = ['3.8', '3.11', '3.13'];
const since = '(\\d+ s )?';

describe('socket waits name the peer', () => {
  for (const c of [
    {
      program: 'peer_among_sockets.py',
      at: () => `peer_among_sockets\\.py:${hangLine('peer_among_sockets.py', 'getresponse')} \\(main\\)`,
      host: ' \\(localhost\\)',
    },
    {
      // urlopen waits for the response's headers (its line), or the body's read below it.
      program: 'peer_urllib_silent.py',
      at: () => `peer_urllib_silent\\.py:(${hangLine('peer_urllib_silent.py', 'read') - 1}|${hangLine('peer_urllib_silent.py', 'read')}) \\(fetch\\)`,
      host: ' \\(localhost\\)',
    },
    { program: 'socket_recv.py', at: () => `socket_recv\\.py:${hangLine('socket_recv.py', 'recv')} \\(fetch_reply\\)`, host: '' },
  ]) {
    it(`${c.program}: "waits N s for ADDRESS:PORT to answer with no timeout", in a dump and in sampling`, async (t) => {
      const pyspy = requireTool(t, 'py-spy');
      const versions = requirePythons(t, MINORS);
      if (!pyspy || !versions.length) return;
      for (const { version, python } of versions) {
        const p = await start(c.program, python);
        const port = /^ready (\d+)/m.exec(p.output())?.[1] ?? '\\d+';
        const peer = `127\\.0\\.0\\.1:${port}${c.host}`;
        const want = new RegExp(`^MainThread waits ${since}for ${peer} to answer with no timeout at ${c.at()}$`);
        const d = await dumpUntil(p.pid, pyspy, (x) => want.test(x.findings[0]?.title ?? ''));
        assert.match(d.findings[0]?.title ?? '', want, `${version}: ${titles(d)}`);
        assert.match(d.findings[0]!.detail!, /its socket \(fd \d+\) is connected to 127\.0\.0\.1:\d+/);
        assert.match(d.findings[0]!.detail!, /(passes no timeout=|create_connection\(…, timeout=…\))/, 'the one change');
        const profile = await sampleLocal(p.pid, pyspy);
        const main = profile.threads.find((x) => x.name === 'MainThread');
        assert.equal(main?.status, 'stuck', version);
        // Sampling reads no locals (a recording is attached): the address from the socket, without the
        // host name; among several quiet connections, the candidates, the one waited on among them.
        const sampled = new RegExp(`^waits ${since}for (one of [^ ]+, )*127\\.0\\.0\\.1:${port}(${c.host})?(, [^ ]+)* to answer with no timeout$`);
        assert.match(main?.wait?.phrase ?? '', sampled, version);
        p.stop();
      }
    });
  }

  it('a read on one of 60 quiet connections to one server: the kernel names the socket (its fd, its silence)', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    const versions = requirePythons(t, ['3.12'], 1);
    if (!pyspy || !versions.length) return;
    const p = await start('many_quiet_connections.py', versions[0]!.python);
    const [, fd, port] = /^ready (\d+) (\d+)/m.exec(p.output()) ?? [];
    assert.ok(fd && port, p.output());
    const want = new RegExp(`^MainThread waits ${since}for 127\\.0\\.0\\.1:${port} to answer with no timeout at many_quiet_connections\\.py:`);
    const d = await dumpUntil(p.pid, pyspy, (x) => want.test(x.findings[0]?.title ?? ''));
    assert.match(d.findings[0]?.title ?? '', want, titles(d));
    assert.match(d.findings[0]!.detail!, new RegExp(`its socket \\(fd ${fd}\\) is connected to 127\\.0\\.0\\.1:${port}`));
    assert.doesNotMatch(d.findings[0]!.detail!, /cannot be told/);
    p.stop();
  });
});
