// The hover over a marked line: threads with their whole stacks, each frame a command link.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { marksByFile } from '../../src/core/format/frameMarks';
import { diagnose } from '../../src/core/findings/diagnose';
import { commandLink, escapeMarkdown, hoverMarkdown, markdownWithCode } from '../../src/core/format/stackHover';
import { hangLine } from '../support/programs';
import { recordedDump } from '../support/recordedDump';

/** The {file, line} arguments of every command link in the Markdown, in order. */
function links(md: string, command: string): { file: string; line: number }[] {
  const re = new RegExp(`\\(command:${command.replace('.', '\\.')}\\?([^ )]+)`, 'g');
  return [...md.matchAll(re)].map((m) => (JSON.parse(decodeURIComponent(m[1]!)) as [{ file: string; line: number }])[0]);
}

describe('stack hover', () => {
  it('lists the thread and its whole stack, with links to the frames that have files', async () => {
    const dump = await recordedDump();
    const file = [...marksByFile(dump).keys()].find((f) => f.endsWith('/socket_recv.py'))!;
    const line = hangLine('socket_recv.py', 'recv');
    const mark = marksByFile(dump)
      .get(file)!
      .find((m) => m.line === line)!;
    const md = hoverMarkdown(dump, mark, { openCommand: 'snag.openFrame', waited: new Map([[mark.threads[0]!.thread.id, 41]]) });
    const main = dump.threads.find((t) => t.name === 'MainThread')!;

    assert.match(md, /^\*\*⏸ MainThread\*\* — idle · thread \d+ · same place for ≥ 41 s$/m);
    // Every frame of the thread appears, innermost first; the one at this line is bold and marked.
    const listed = md.split('\n').filter((l) => l.startsWith('- '));
    assert.equal(listed.length, main.frames.length);
    assert.match(
      listed.find((l) => l.includes('fetch\\_reply'))!,
      /^- \*\*.*\*\* ◀$/,
    );
    // `<module>` and underscores are escaped, not eaten by the Markdown renderer.
    assert.ok(md.includes('\\<module\\>'), md);
    const own = links(md, 'snag.openFrame').filter((l) => l.file === file);
    assert.ok(
      own.some((l) => l.line === line),
      'a link opens the hanging line',
    );
    assert.match(md, /_pid 5362 · py-spy · 2026-01-01 00:00:00Z_$/);
  });

  it('says what the finding rules found about each thread there, before its stack', async () => {
    const dump = await recordedDump();
    dump.findings = await diagnose(dump);
    const file = [...marksByFile(dump).keys()].find((f) => f.endsWith('/socket_recv.py'))!;
    const mark = marksByFile(dump)
      .get(file)!
      .find((m) => m.line === hangLine('socket_recv.py', 'recv'))!;
    const md = hoverMarkdown(dump, mark, { openCommand: 'snag.openFrame' });
    const finding = dump.findings.find((f) => f.threadId === mark.threads[0]!.thread.id)!;
    assert.ok(finding, 'the recorded dump has a finding for MainThread');
    const lines = md.split('\n');
    const at = lines.findIndex((l) => l.includes(escapeMarkdown(finding.title)));
    assert.ok(at > 0 && at < lines.findIndex((l) => l.startsWith('- ')), md);
    // Code in the explanation stays code; the rest is escaped.
    assert.ok(finding.detail?.includes('`socket.create_connection(…, timeout=…)`'), finding.detail);
    assert.ok(md.includes('`socket.create_connection(…, timeout=…)`'), md);
  });

  it('markdownWithCode keeps backtick spans and escapes the rest', () => {
    assert.equal(markdownWithCode('use `with a:` in __main__'), 'use `with a:` in \\_\\_main\\_\\_');
  });

  it('command links carry {file, line} JSON that survives spaces and parentheses', () => {
    const link = commandLink('snag.openFrame', { file: '/a b/(c).py', line: 7 });
    assert.ok(!/[ ()]/.test(link));
    assert.deepEqual(links(`[x](${link})`, 'snag.openFrame'), [{ file: '/a b/(c).py', line: 7 }]);
  });

  it('escapes Markdown syntax', () => {
    assert.equal(escapeMarkdown('__init__ <lambda> [x]'), '\\_\\_init\\_\\_ \\<lambda\\> \\[x\\]');
  });

  it('caps threads per line', async () => {
    const dump = await recordedDump();
    const mark = {
      line: 1,
      innermost: true,
      threads: Array.from({ length: 6 }, () => ({ thread: dump.threads[0]!, frameIndex: 0, frame: dump.threads[0]!.frames[0]!, innermost: true })),
    };
    const md = hoverMarkdown(dump, mark, { openCommand: 'snag.openFrame', maxThreads: 2, maxFrames: 1 });
    assert.equal(md.match(/^\*\*⏸ /gm)?.length, 2);
    assert.match(md, /… 4 more threads at this line/);
    assert.match(md, /- … \d+ more frames/);
  });
});
