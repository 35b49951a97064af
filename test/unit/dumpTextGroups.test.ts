// The text dump of 500 threads × 60 frames waiting in one place: one block, the stack once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnose } from '../../src/core/findings/diagnose';
import { dumpToMarkdown, dumpToText } from '../../src/core/format/dumpText';
import type { Frame, StackDump } from '../../src/core/model';
import { dump, SourceDir, thread, THREAD_BOOTSTRAP } from './findings/dumpBuilder';

const src = new SourceDir();
const file = src.file(
  'pool.py',
  `import threading
work_lock = threading.Lock()

def descend(n):
    if n:
        return descend(n - 1)  # RECURSE
    with work_lock:  # WAITS
        pass

def main():
    with work_lock:
        crunch()  # HOLDS
`,
);

function scaleDump(threads = 500, depth = 60): StackDump {
  const deep: Frame[] = Array.from({ length: depth - 4 }, () => src.user('descend', file, 'RECURSE'));
  const main = thread('MainThread', [src.user('main', file, 'HOLDS')]);
  const ws = Array.from({ length: threads }, (_, i) => thread(`worker-${i}`, [src.user('descend', file, 'WAITS'), ...deep, ...THREAD_BOOTSTRAP]));
  return dump(main, ...ws);
}

describe('text of many threads waiting in one place', () => {
  it('one block for the group: its stack once, names capped; the first stack within 40 lines', async () => {
    const d = scaleDump();
    d.findings = await diagnose(d);
    const text = dumpToText(d);
    const lines = text.split('\n');
    assert.ok(lines.length < 150, `${lines.length} lines`);
    const firstStack = lines.findIndex((l) => l.startsWith('Thread ') || /^\d+ threads/.test(l));
    assert.ok(firstStack >= 0 && firstStack < 40, `first stack at line ${firstStack + 1}`);
    const head = lines.find((l) => l.startsWith('500 threads (idle)'))!;
    assert.match(head, /^500 threads \(idle\), one stack: "worker-0", "worker-1", .* and \d+ more$/);
    assert.ok(head.length <= 200, head);
    assert.equal(lines.filter((l) => l.includes('descend (')).length, 57, 'the 57 descend frames once');
    assert.equal(lines.filter((l) => l.startsWith('warning: ')).length, 1);
    for (const l of lines.filter((x) => /^(warning|info|error): /.test(x))) assert.ok(l.length <= 170, l);
  });

  it('threads sharing only their innermost frames: those frames, and a line saying the rest differ', () => {
    const d = scaleDump(3, 10);
    d.threads[2]!.frames.splice(3, 1);
    const text = dumpToText(d);
    assert.match(text, /^3 threads \(idle\), the same innermost 6 frames: "worker-0", "worker-1" and "worker-2"$/m);
    assert.match(text, /… outer frames differ from thread to thread \(--json has every stack\)/);
  });

  it('Markdown groups alike', async () => {
    const d = scaleDump();
    const md = dumpToMarkdown(d);
    assert.ok(md.split('\n').length < 120, `${md.split('\n').length} lines`);
    assert.match(md, /\*\*500 threads \(idle\), one stack: "worker\\-0"/);
  });

  it('two threads in one place are still two blocks', () => {
    const text = dumpToText(scaleDump(2, 5));
    assert.match(text, /^Thread \d+ \(idle\): "worker-0"$/m);
    assert.match(text, /^Thread \d+ \(idle\): "worker-1"$/m);
  });
});

process.on('exit', () => src.remove());
