// Formats and corner cases of recorded real outputs (test/fixtures/outputs/open-*): py-spy --native's
// C frames, traceback.print_stack() and 3.11+ exception groups, a thread name with a line break that
// looks like another thread, faulthandler's 100-frame cut, and a dump saved as UTF-16.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SourceMapper } from '../../../src/core/mapping/sourceMap';
import type { StackDump } from '../../../src/core/model';
import { openDump, textEncoding } from '../../../src/core/open/openDump';
import { REPO } from '../../support/programs';

const OUTPUTS = join(REPO, 'test', 'fixtures', 'outputs');

function open(name: string): Promise<StackDump> {
  return openDump({ kind: 'file', path: join(OUTPUTS, name) }, { mapper: new SourceMapper({ workspaceRoots: [] }), name, from: 'file' });
}

describe('snag open: more of what the real tools print', () => {
  it('py-spy dump --native text: C frames with a source line are native, not user code', async () => {
    const d = await open('open-pyspy-sockread-native-py39.txt');
    const frames = d.threads[0]!.frames;
    const c = frames.find((f) => f.function === 'sock_call_ex')!;
    assert.equal(c.native, true);
    assert.equal(c.isUserCode, false);
    assert.equal(c.line, 935);
    assert.deepEqual(
      frames.filter((f) => !f.native).map((f) => f.function),
      ['read_reply', '<module>'],
    );
  });

  it('traceback.print_stack(): the frames, innermost first', async () => {
    const d = await open('open-traceback-print-stack.txt');
    assert.equal(d.opened?.format, 'traceback');
    assert.deepEqual(
      d.threads.map((t) => [t.name, t.frames.map((f) => `${f.function}:${f.line}`)]),
      [['MainThread', ['stack_here:10', '<module>:11']]],
    );
  });

  it('an exception group: its frames behind "|", its members in a note', async () => {
    const d = await open('open-traceback-exception-group.txt');
    assert.equal(d.opened?.format, 'traceback');
    assert.deepEqual(
      d.threads.map((t) => t.frames.map((f) => `${f.function}:${f.line}`)),
      [['<module>:13']],
    );
    assert.match(d.threads[0]!.frames[0]!.note ?? '', /ExceptionGroup: many/);
    assert.ok(
      d.notes?.some((n) => n.includes('ValueError: a; TypeError: b')),
      JSON.stringify(d.notes),
    );
  });

  it('a thread name with a line break that looks like a thread: the real thread stays, no forged one', async () => {
    const d = await open('open-pyspy-multiline-thread-name.txt');
    assert.deepEqual(
      d.threads.map((t) => t.id),
      [10576, 10599],
    );
    const evil = d.threads[1]!;
    assert.match(evil.name, /Thread 1 \(idle\): "fake"/);
    assert.equal(evil.frames[0]!.function, 'Condition.wait');
    assert.ok(!evil.frames.some((f) => f.file === '/etc/passwd'));
    assert.ok(d.notes?.some((n) => n.includes('--json is exact')));
  });

  it('faulthandler\'s "..." (100 frames a thread): the cut is said', async () => {
    const d = await open('open-faulthandler-deep-cut.txt');
    assert.equal(d.threads[0]!.frames.length, 100);
    assert.ok(
      d.notes?.some((n) => /stack is cut: faulthandler writes at most 100 frames/.test(n)),
      JSON.stringify(d.notes),
    );
  });

  it('a dump saved as UTF-16 (BOM) opens as the text it is', async () => {
    const d = await open('open-pyspy-deadlock-utf16.txt');
    assert.equal(d.opened?.format, 'py-spy-text');
    assert.equal(d.pythonVersion, '3.8.18');
    assert.equal(d.threads[0]!.name, 'MainThread');
    assert.equal(textEncoding(Buffer.from('P\0y\0', 'latin1')), 'utf-16le');
    assert.equal(textEncoding(Buffer.from('Python', 'utf8')), 'utf-8');
  });
});
