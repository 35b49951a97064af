import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { diagnose } from '../../../src/core/findings/diagnose';
import { dump, lib, SourceDir, thread, THREAD_BOOTSTRAP } from './dumpBuilder';

const src = new SourceDir();
after(() => src.remove());

const app = src.file(
  'jobs.py',
  `import queue, sqlite3
jobs = queue.Queue()

def batch_writer():
    conn = sqlite3.connect("jobs.db", timeout=15)
    conn.execute("insert into kv values ('a#1', 1)")  # implicit BEGIN: the write lock is taken here
    jobs.get()  # HOLDER

def reporter():
    conn = sqlite3.connect("jobs.db", timeout=15)
    conn.execute("insert into kv values ('b', 2)")  # WAITER
`,
);

src.file(
  'dbhelp.py',
  `import sqlite3

def open_db(path):
    return sqlite3.connect(path, timeout=30)
`,
);
const imports = src.file(
  'report.py',
  `import sqlite3
from dbhelp import (open_db as connect_db)

def write():
    conn = connect_db("jobs.db")
    conn.execute("insert into kv values ('c', 3)")  # IMPORTED
`,
);

describe('the holder of an SQLite write lock', () => {
  it('a connection made by a factory brought in with `from module import name as alias`: its busy timeout', async () => {
    const waiter = thread('reporter', [src.user('write', imports, 'IMPORTED'), ...THREAD_BOOTSTRAP]);
    const findings = await diagnose(dump(waiter));
    assert.match(findings[0]?.title ?? '', /^reporter waits for the SQLite database lock \(busy timeout 30 s\)/, JSON.stringify(findings.map((x) => x.title)));
  });

  it('an idle holder with no wait of its own told "waits" there, never "runs"; its statement quoted without its comment', async () => {
    const holder = thread('batch', [
      lib('Condition.wait', 'threading.py', 320),
      lib('Queue.get', 'queue.py', 171),
      src.user('batch_writer', app, 'HOLDER'),
      ...THREAD_BOOTSTRAP,
    ]);
    const waiter = thread('reporter', [src.user('reporter', app, 'WAITER'), ...THREAD_BOOTSTRAP]);
    const findings = await diagnose(dump(holder, waiter));
    const f = findings.find((x) => x.kind === 'sqlite-lock');
    assert.ok(f, JSON.stringify(findings.map((x) => x.title)));
    assert.match(f.title, /^reporter waits for the SQLite database lock .* held by batch$/);
    assert.match(f.detail ?? '', /\(in batch_writer: conn\.execute\("insert into kv values \('a#1', 1\)"\)\) on conn/);
    assert.doesNotMatch(f.detail ?? '', /implicit BEGIN|batch runs/);
    assert.match(f.detail ?? '', /batch (waits|waits for a queue|waits for an item)[^.]* at jobs\.py:7 \(batch_writer\), still inside that transaction/);
  });
});
