// A small process is read once: the locals the finding rules ask for (a socket wait's timeout and
// peer) come from the same py-spy read as the stacks, and leave the dump with the rules unless
// --locals was asked for. Real py-spy on a process stuck in socket.recv (2 threads).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { onDidRun } from '../../src/core/run';
import { startProgram, type Started } from '../support/programs';
import { dumpLocal } from '../support/snag';
import { requireTool } from '../support/tools';

describe('core: locals for the findings in the same read', () => {
  let prog: Started;
  before(async () => {
    prog = await startProgram('socket_recv.py');
  });
  after(() => prog?.stop());

  /** The py-spy argvs a dump ran. */
  async function pyspyRuns(read: () => Promise<unknown>): Promise<string[][]> {
    const runs: string[][] = [];
    const off = onDidRun((e) => void (/py-spy$/.test(e.argv[0] ?? '') && runs.push([...e.argv])));
    try {
      await read();
    } finally {
      off();
    }
    return runs;
  }

  it('one py-spy read with --locals; the finding says the timeout; the dump carries no locals', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    let dump: Awaited<ReturnType<typeof dumpLocal>> | undefined;
    const runs = await pyspyRuns(async () => void (dump = await dumpLocal(prog.pid, pyspy)));
    assert.equal(runs.length, 1, `py-spy runs: ${runs.map((r) => r.join(' ')).join(' | ')}`);
    assert.ok(runs[0]!.includes('--locals'), runs[0]!.join(' '));
    const finding = dump!.findings.find((f) => f.threadId === dump!.threads.find((x) => x.name === 'MainThread')?.id);
    assert.match(finding?.title ?? '', /^MainThread waits (.+ )?for 127\.0\.0\.1:\d+ to answer with no timeout at socket_recv\.py:\d+ \(fetch_reply\)$/);
    const withLocals = dump!.threads.flatMap((x) => x.frames).filter((f) => f.locals !== undefined);
    assert.deepEqual(withLocals, [], 'locals read for the rules are not part of the dump');
  });

  it('asked for, the locals stay (still one read)', async (t) => {
    const pyspy = requireTool(t, 'py-spy');
    if (!pyspy) return;
    let dump: Awaited<ReturnType<typeof dumpLocal>> | undefined;
    const runs = await pyspyRuns(async () => void (dump = await dumpLocal(prog.pid, pyspy, { locals: true })));
    assert.equal(runs.length, 1);
    assert.ok(dump!.threads.some((x) => x.frames.some((f) => f.locals !== undefined)));
  });
});
