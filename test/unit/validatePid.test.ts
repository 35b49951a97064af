// The one pid rule (src/core/validate/pid.ts): what a person may type, and what the core accepts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SnagError } from '../../src/core/errors';
import { checkPid, isValidPid, localPidMax, parsePid, PID_LIMIT } from '../../src/core/validate/pid';

function refused(f: () => unknown): SnagError {
  try {
    f();
  } catch (err) {
    assert.ok(SnagError.is(err, 'bad-input'), `expected a bad-input SnagError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a refusal');
}

describe('parsePid (typed text)', () => {
  it('accepts plain decimals in range', () => {
    assert.equal(parsePid('1'), 1);
    assert.equal(parsePid('4242'), 4242);
    assert.equal(parsePid(String(PID_LIMIT)), PID_LIMIT);
  });

  const bad: Array<[string | undefined, RegExp]> = [
    [undefined, /snag ps lists them/],
    ['', /got "": snag ps lists them/],
    ['0', /there is no process 0/],
    ['000', /there is no process 0/],
    ['012', /without leading zeros/],
    ['0x10', /decimal digits only/],
    ['1e3', /decimal digits only/],
    ['+5', /decimal digits only/],
    ['-1', /decimal digits only/],
    [' 12 ', /spaces around it/],
    ['12\n', /spaces around it/],
    ['1.0', /decimal digits only/],
    ['１２', /decimal digits only/], // fullwidth digits
    [String(2 ** 32 + 4242), /Linux process ids go from 1 to 4194304/],
    [String(PID_LIMIT + 1), /Linux process ids go from 1 to 4194304/],
    ['9'.repeat(40), /Linux process ids go from 1 to 4194304/],
  ];
  for (const [text, message] of bad) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      const e = refused(() => parsePid(text, 'dump'));
      assert.match(e.message, /^dump needs a process id, got /);
      assert.match(e.message, message);
      assert.ok(!e.message.includes('\n'));
    });
  }

  it("checks against the machine's pid_max when given, never above 2^22", () => {
    assert.match(refused(() => parsePid('40000', 'dump', 32768)).message, /go from 1 to 32768 \(kernel\.pid_max\)/);
    assert.equal(parsePid('32768', 'dump', 32768), 32768);
    assert.match(refused(() => parsePid(String(PID_LIMIT + 1), 'dump', 2 ** 30)).message, /4194304/);
    assert.ok(localPidMax() >= 1 && localPidMax() <= PID_LIMIT);
  });
});

describe('checkPid (numbers reaching the core)', () => {
  it('accepts integers in 1..2^22', () => {
    assert.equal(checkPid(1), 1);
    assert.equal(checkPid(PID_LIMIT), PID_LIMIT);
  });

  for (const v of [0, -1, 1.5, NaN, Infinity, 2 ** 32 + 7, PID_LIMIT + 1, '12', undefined, null, 12n]) {
    it(`refuses ${typeof v === 'bigint' ? `${v}n` : (JSON.stringify(v) ?? String(v))}`, () => {
      assert.equal(isValidPid(v), false);
      assert.match(refused(() => checkPid(v)).message, /^Snag refuses process id .*: Linux process ids go from 1 to 4194304/);
    });
  }
});
