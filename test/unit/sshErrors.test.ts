// ssh's connection failures (recorded real stderr) → one SnagError each, with ssh's own line.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RunError } from '../../src/core/run';
import { remoteProgramNotFound, sshConnectError, sshErrorLine } from '../../src/core/targets/sshErrors';
import { REPO } from '../support/programs';

const recorded = (name: string) => readFileSync(join(REPO, 'test', 'fixtures', 'outputs', `ssh-err-${name}.txt`), 'utf8');
const failed = (stderr: string, failure: 'exit' | 'timed-out' = 'exit') =>
  new RunError(failure, ['ssh'], 'ssh failed', { stderr, exitCode: failure === 'exit' ? 255 : undefined, durationMs: 12_000 });

describe('sshConnectError on recorded ssh failures', () => {
  const cases: [string, RegExp, string][] = [
    ['hostkey', /^prod's host key is not known or has changed: Host key verification failed\. Connect once in a terminal \(ssh prod\)/, 'ssh-terminal'],
    ['changed', /^prod's host key is not known or has changed: Host key verification failed\./, 'ssh-terminal'],
    ['denied', /^prod refused the login: root@127\.0\.0\.1: Permission denied \(publickey,keyboard-interactive\)\. .*never asks for passwords/, 'ssh-terminal'],
    ['refused', /^Cannot reach prod: ssh: connect to host 127\.0\.0\.1 port \d+: Connection refused\.$/, 'show-log'],
    ['timeout', /^prod did not answer in time: Connection to 127\.0\.0\.1 port \d+ timed out\.$/, 'show-log'],
    ['resolve', /^Cannot reach prod: ssh: Could not resolve hostname nosuch\.invalid: Name or service not known\.$/, 'show-log'],
  ];
  for (const [name, message, fix] of cases) {
    it(name, () => {
      const e = sshConnectError(failed(recorded(name)), 'prod', 'connect');
      assert.equal(e.reason, 'unreachable');
      assert.match(e.message, message);
      assert.ok(e.fixes.includes(fix as never), `${e.fixes}`);
    });
  }

  it('says a connect that Snag itself timed out did not answer', () => {
    const e = sshConnectError(failed('', 'timed-out'), 'prod', 'connect');
    assert.equal(e.reason, 'unreachable');
    assert.match(e.message, /^prod did not answer: ssh timed out after 12 s/);
  });

  it('says a command whose connection died without a word lost the connection', () => {
    assert.match(sshConnectError(failed(''), 'prod', 'command').message, /^The connection to prod was lost while a command ran\./);
  });

  it('takes the last line that is not a banner or a warning', () => {
    assert.equal(
      sshErrorLine("Warning: Permanently added 'x' (ED25519) to the list of known hosts.\nConnection closed by 10.0.0.1 port 22\n"),
      'Connection closed by 10.0.0.1 port 22',
    );
    assert.equal(sshErrorLine(''), '');
  });
});

describe('remoteProgramNotFound', () => {
  const exit127 = (stderr: string) => new RunError('exit', ['ssh'], 'failed', { stderr, exitCode: 127 });
  it('recognises the login shells’ and env’s "not found" lines (bash, dash, zsh, env)', () => {
    assert.ok(remoteProgramNotFound(exit127('bash: docker: command not found\n'), 'docker'));
    assert.ok(remoteProgramNotFound(exit127('sh: 1: docker: not found\n'), 'docker'));
    assert.ok(remoteProgramNotFound(exit127('zsh:1: command not found: docker\n'), 'docker'));
    assert.ok(remoteProgramNotFound(exit127("env: 'py-spy': No such file or directory\n"), 'py-spy'));
    assert.ok(remoteProgramNotFound(exit127('bash: /opt/x/py-spy: No such file or directory\n'), '/opt/x/py-spy'));
  });
  it('does not take another program’s failure or another exit code for it', () => {
    assert.ok(!remoteProgramNotFound(exit127('bash: other: command not found\n'), 'docker'));
    assert.ok(!remoteProgramNotFound(new RunError('exit', ['ssh'], 'failed', { stderr: 'bash: docker: command not found', exitCode: 1 }), 'docker'));
  });
});
