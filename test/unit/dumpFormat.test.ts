// The documented JSON contract of `snag dump --json`, and the text view.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dumpToJson, dumpToMarkdown, dumpToText } from '../../src/core/format/dumpText';
import type { StackDump } from '../../src/core/model';

function sample(): StackDump {
  return {
    pid: 4242,
    backend: 'py-spy',
    pythonVersion: '3.11',
    takenAt: '2026-01-01T00:00:00.000Z',
    durationMs: 12,
    target: { kind: 'local', id: 'local', label: 'Local' },
    threads: [
      {
        id: 140407562053312,
        nativeId: 5707,
        name: 'MainThread',
        active: false,
        ownsGil: false,
        frames: [
          {
            function: 'recv',
            file: '/usr/lib/libc.so.6',
            line: 0,
            native: true,
            module: 'libc.so.6',
            isUserCode: false,
            origin: 'native',
            mapping: { method: 'none', reason: 'native code without source information' },
          },
          {
            function: 'fetch_reply',
            file: '/app/worker.py',
            line: 13,
            native: false,
            localFile: '/home/me/proj/worker.py',
            isUserCode: true,
            origin: 'user',
            mapping: { method: 'suffix', reason: 'matched …/worker.py in the workspace' },
            locals: [{ name: 'sock', repr: '<socket>', isArg: true }],
            note: 'called from the garbage collector',
          },
        ],
      },
      { id: 2, name: 'idle-worker', active: true, ownsGil: true, frames: [] },
    ],
    findings: [
      {
        severity: 'warning',
        kind: 'socket-wait',
        title: 'MainThread waits in a socket read with no timeout at worker.py:13 (fetch_reply)',
        detail: 'Set one.',
        threadId: 140407562053312,
        frame: { file: '/app/worker.py', line: 13, localFile: '/home/me/proj/worker.py' },
      },
    ],
  };
}

describe('dumpToJson', () => {
  it('has exactly the documented shape', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(dumpToJson(sample()))), {
      pid: 4242,
      backend: 'py-spy',
      pythonVersion: '3.11',
      takenAt: '2026-01-01T00:00:00.000Z',
      durationMs: 12,
      threads: [
        {
          id: 140407562053312,
          nativeId: 5707,
          name: 'MainThread',
          active: false,
          ownsGil: false,
          frames: [
            {
              function: 'recv',
              file: '/usr/lib/libc.so.6',
              line: 0,
              native: true,
              module: 'libc.so.6',
              isUserCode: false,
              origin: 'native',
              mapping: { method: 'none', reason: 'native code without source information' },
            },
            {
              function: 'fetch_reply',
              file: '/app/worker.py',
              line: 13,
              native: false,
              localFile: '/home/me/proj/worker.py',
              isUserCode: true,
              origin: 'user',
              mapping: { method: 'suffix', reason: 'matched …/worker.py in the workspace' },
              locals: [{ name: 'sock', repr: '<socket>', isArg: true }],
              note: 'called from the garbage collector',
            },
          ],
        },
        { id: 2, name: 'idle-worker', active: true, ownsGil: true, frames: [] },
      ],
      findings: [
        {
          severity: 'warning',
          kind: 'socket-wait',
          title: 'MainThread waits in a socket read with no timeout at worker.py:13 (fetch_reply)',
          detail: 'Set one.',
          threadId: 140407562053312,
          frame: { file: '/app/worker.py', line: 13, localFile: '/home/me/proj/worker.py' },
        },
      ],
    });
  });

  it('omits optional fields that are unknown, and keeps findings an array', () => {
    const d = sample();
    delete d.pythonVersion;
    d.findings = [];
    d.threads = [{ id: 1, name: 'T', active: true, ownsGil: false, frames: [{ function: 'f', file: 'a.py', line: 1, native: false, isUserCode: false }] }];
    const json = dumpToJson(d) as Record<string, unknown>;
    assert.deepEqual(Object.keys(json), ['pid', 'backend', 'takenAt', 'durationMs', 'threads', 'findings']);
    assert.deepEqual(json.threads, [
      { id: 1, name: 'T', active: true, ownsGil: false, frames: [{ function: 'f', file: 'a.py', line: 1, native: false, isUserCode: false }] },
    ]);
    assert.deepEqual(json.findings, []);
  });
});

describe('dumpToText', () => {
  it('puts findings first and marks the user frame of each thread', () => {
    const text = dumpToText(sample(), { highlight: (s) => `<<${s}>>` });
    const lines = text.split('\n');
    assert.match(lines[0]!, /^Process 4242 · py-spy · Python 3\.11 · 2 threads · /);
    assert.equal(lines[1], 'warning: MainThread waits in a socket read with no timeout at worker.py:13 (fetch_reply)');
    assert.equal(lines[2], '    Set one.');
    assert.ok(lines.includes('Thread 5707 (idle): "MainThread"'));
    assert.ok(lines.includes('    recv (libc.so.6) [native]'));
    assert.ok(lines.includes('  ▶ <<fetch_reply (/home/me/proj/worker.py:13) — called from the garbage collector>>'));
    assert.ok(lines.includes('        arg sock = <socket>'));
    assert.ok(lines.includes('Thread 2 (active, holds the GIL): "idle-worker"'));
  });

  it('a quote in a thread name is escaped: it cannot close the name and add a field', () => {
    const d = sample();
    d.threads[1]!.name = 'x" (active, holds the GIL): "y\\';
    const text = dumpToText(d);
    assert.ok(text.split('\n').includes('Thread 2 (active, holds the GIL): "x\\" (active, holds the GIL): \\"y\\\\"'), text);
    const md = dumpToMarkdown(d);
    // Markdown escapes the backslash and the quote again: it renders as `"x\" (active…`.
    assert.ok(md.includes('**Thread 2 (active, holds the GIL): "x\\\\\\" \\(active'), md);
  });

  it('Markdown for a bug report names files as the target saw them', () => {
    const md = dumpToMarkdown(sample());
    assert.match(md, /> \*\*warning\*\*: MainThread waits/);
    assert.match(md, /▶ fetch_reply \(\/app\/worker\.py:13\)/);
  });
});
