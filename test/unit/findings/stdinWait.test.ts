import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { diagnose } from '../../../src/core/findings/diagnose';
import { dump, nat, SourceDir, thread } from './dumpBuilder';

const src = new SourceDir();
after(() => src.remove());
const cli = src.file(
  'cli.py',
  `def ask():
    return input("name? ")  # INPUT

def slurp():
    return sys.stdin.read()  # READ

def each():
    for line in sys.stdin:  # LOOP
        handle(line)

def other(f):
    return f.readline()  # FILE

def user_input_field(form):
    return form.user_input(3)  # LOOKALIKE
`,
);

describe('reading stdin', () => {
  for (const tag of ['INPUT', 'READ', 'LOOP']) {
    it(`from the source line (${tag})`, async () => {
      const [f, ...rest] = await diagnose(dump(thread('MainThread', [src.user('ask', cli, tag)])));
      assert.deepEqual(rest, []);
      assert.equal(f!.kind, 'stdin-wait');
      assert.equal(f!.severity, 'warning');
      assert.match(f!.title, /^MainThread waits for input on stdin at cli\.py:\d+ \(ask\)$/);
    });
  }

  it('from native frames: builtin input', async () => {
    const [f] = await diagnose(dump(thread('MainThread', [nat('read', 'libc.so.6'), nat('builtin_input_impl'), src.user('ask', cli, 'INPUT')])));
    assert.equal(f!.kind, 'stdin-wait');
  });

  it('not for other files, look-alike names, or a line whose native frames wait in something else', async () => {
    for (const tag of ['FILE', 'LOOKALIKE']) {
      const findings = await diagnose(dump(thread('MainThread', [src.user('other', cli, tag)])));
      assert.ok(!findings.some((x) => x.kind === 'stdin-wait'), `${tag}: ${JSON.stringify(findings)}`);
    }
    const locked = await diagnose(dump(thread('MainThread', [nat('sem_wait', 'libc.so.6'), src.user('ask', cli, 'INPUT')])));
    assert.ok(!locked.some((x) => x.kind === 'stdin-wait'));
  });
});
