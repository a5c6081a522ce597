import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SAMPLE_USERS } from './sample-users.ts';
import { testRule } from './test-rule.ts';

describe('testRule (admin: test a rule against any user)', () => {
  test('a valid rule reports the decision and a duration', () => {
    const hit = testRule("user.department == 'IT'", SAMPLE_USERS.bob);
    assert.equal(hit.valid, true);
    assert.equal(hit.result, true);
    assert.equal(hit.error, undefined);
    assert.ok(hit.durationMs >= 0 && hit.durationMs < 1000);
    assert.equal(testRule("user.department == 'IT'", SAMPLE_USERS.anna).result, false);
  });

  test('an invalid rule is reported as invalid with the compile error, without throwing', () => {
    const result = testRule('usr.department', SAMPLE_USERS.anna);
    assert.equal(result.valid, false);
    assert.equal(result.result, false);
    assert.match(result.error?.message ?? '', /unknown variable 'usr'/);
  });

  test('a runtime failure is valid but denies, with the error shown to the admin', () => {
    const result = testRule('int(user.jobTitle) > 0', SAMPLE_USERS.anna);
    assert.equal(result.valid, true);
    assert.equal(result.result, false);
    assert.match(result.error?.message ?? '', /Audience rule failed/);
  });
});
