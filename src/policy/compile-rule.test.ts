import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../errors/index.ts';
import { compileApproverRule, compileAudienceRule } from './compile-rule.ts';
import { POLICY_LIMITS } from './policy-limits.ts';

/** Asserts `fn` throws a validation AppError whose message matches and returns it for more checks. */
function refused(fn: () => unknown, message: RegExp): AppError {
  let caught: unknown;
  assert.throws(fn, (e: unknown) => {
    caught = e;
    return e instanceof AppError && e.code === 'validation_failed' && message.test(e.message);
  });
  return caught as AppError;
}

describe('compileAudienceRule (save-time checks)', () => {
  test('a valid rule compiles and records a bool result', () => {
    const rule = compileAudienceRule(" user.department == 'Sales' && user.country in ['DE','FR'] ");
    assert.equal(rule.kind, 'audience');
    assert.equal(rule.everyone, false);
    assert.equal(rule.resultType, 'bool');
    assert.equal(rule.expression, "user.department == 'Sales' && user.country in ['DE','FR']");
  });

  test('an empty or blank rule means everyone', () => {
    assert.equal(compileAudienceRule('').everyone, true);
    assert.equal(compileAudienceRule('   \n').everyone, true);
  });

  test('a syntax error is refused with its line and column', () => {
    const error = refused(
      () => compileAudienceRule("user.department ==\n  'Sales' &&& true"),
      /syntax error/,
    );
    assert.deepEqual(error.details?.['position'], { offset: 29, line: 2, column: 11 });
    assert.match(error.message, / at 2:11: syntax error: found /);
    assert.equal(error.details?.['rule'], 'audience');
  });

  test('an unknown variable is refused at compile time, with its position', () => {
    const error = refused(
      () => compileAudienceRule("user.country == 'DE' || usr.department == 'Sales'"),
      /unknown variable 'usr'/,
    );
    assert.deepEqual(error.details?.['position'], { offset: 24, line: 1, column: 25 });
  });

  test('an unknown field of user is refused, listing the known ones', () => {
    refused(
      () => compileAudienceRule("user.departmnet == 'Sales'"),
      /unknown field 'departmnet' on user \(known: id,/,
    );
    refused(() => compileAudienceRule("user['departmnet'] == 'Sales'"), /unknown field 'departmnet'/);
    refused(() => compileAudienceRule('has(user.manager)'), /unknown field 'manager'/);
  });

  test('comprehension variables are in scope only inside their macro', () => {
    compileAudienceRule("user.groupNames.exists(g, g.startsWith('Sales'))");
    refused(() => compileAudienceRule("user.groupNames.exists(g, true) && g == 'x'"), /unknown variable 'g'/);
  });

  test('an unknown function is refused', () => {
    refused(() => compileAudienceRule("user.mail.endsWithh('@contoso.com')"), /unknown method 'endsWithh'/);
    refused(() => compileAudienceRule('isManager(user)'), /unknown function 'isManager'/);
  });

  test('a rule whose result is not a bool is refused', () => {
    refused(() => compileAudienceRule('user.department'), /must return a bool, not a string/);
    refused(() => compileAudienceRule('user.groups'), /must return a bool, not a list/);
    refused(() => compileAudienceRule('size(user.groups)'), /must return a bool, not a int/);
    refused(() => compileAudienceRule('user.groups[0]'), /must return a bool, not a string/);
  });

  test('request is not available to audience rules', () => {
    refused(() => compileAudienceRule("request.templateSlug == 'x'"), /unknown variable 'request'/);
  });

  test('expressions over 4 KiB are refused before parsing', () => {
    const long = `user.id == '${'a'.repeat(POLICY_LIMITS.maxExpressionBytes)}'`;
    const error = refused(() => compileAudienceRule(long), /at most 4096 are allowed/);
    assert.equal(error.details?.['maxBytes'], 4096);
    // Measured in UTF-8 bytes, so multi-byte text cannot slip past a character count.
    const wide = `user.displayName == '${'é'.repeat(2100)}'`;
    assert.ok(wide.length < 4096);
    refused(() => compileAudienceRule(wide), /at most 4096/);
  });

  test('comprehensions nested deeper than the limit are refused', () => {
    compileAudienceRule('user.groups.exists(a, user.roles.exists(b, a == b))');
    refused(
      () =>
        compileAudienceRule('user.groups.exists(a, user.roles.exists(b, user.groupNames.exists(c, a == c)))'),
      /nest deeper than 2/,
    );
  });

  test('pathologically nested input is refused, not crashed on', () => {
    const deep = `${'('.repeat(1500)}true${')'.repeat(1500)}`;
    refused(() => compileAudienceRule(deep), /Invalid audience rule/);
  });
});

describe('compileApproverRule (save-time checks)', () => {
  test('string, list and metadata-driven rules compile', () => {
    assert.equal(compileApproverRule("'approver@contoso.com'").resultType, 'string');
    assert.equal(compileApproverRule('[request.requester.mail, "it@contoso.com"]').resultType, 'list');
    assert.equal(compileApproverRule('request.metadata.costCenterOwner').resultType, 'dyn');
  });

  test('an empty approver rule is refused: it would leave a request without approvers', () => {
    refused(() => compileApproverRule('  '), /at least one approver/);
  });

  test('non-string results are refused', () => {
    refused(() => compileApproverRule("request.templateSlug == 'x'"), /not a bool/);
    refused(() => compileApproverRule('[1, 2]'), /not a list of int/);
  });

  test('request fields and requester attributes are checked; user is not available', () => {
    refused(() => compileApproverRule('request.requestor.mail'), /unknown field 'requestor' on request/);
    refused(
      () => compileApproverRule('request.requester.manager'),
      /unknown field 'manager' on request.requester/,
    );
    refused(() => compileApproverRule('user.mail'), /unknown variable 'user'/);
  });
});
