import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileAudienceRule } from './compile-rule.ts';
import { evaluateAudience } from './evaluate-audience.ts';
import { type PolicyUser } from './policy-input.ts';
import { POLICY_LIMITS } from './policy-limits.ts';
import { SAMPLE_USERS } from './sample-users.ts';

const { anna, bob, gina } = SAMPLE_USERS;
const allowed = (expression: string, user: PolicyUser) =>
  evaluateAudience(compileAudienceRule(expression), user);

describe('evaluateAudience', () => {
  test('department and country list', () => {
    const rule = compileAudienceRule("user.department == 'Sales' && user.country in ['DE','FR']");
    assert.deepEqual(evaluateAudience(rule, anna), { allowed: true });
    assert.deepEqual(evaluateAudience(rule, { ...anna, country: 'US' }), { allowed: false });
    assert.deepEqual(evaluateAudience(rule, bob), { allowed: false });
  });

  test('group membership by object id', () => {
    const rule = compileAudienceRule("'22222222-2222-4222-8222-222222222222' in user.groups");
    assert.equal(evaluateAudience(rule, bob).allowed, true);
    assert.equal(evaluateAudience(rule, anna).allowed, false);
  });

  test('mail domain', () => {
    const rule = compileAudienceRule("user.mail.endsWith('@contoso.com')");
    assert.equal(evaluateAudience(rule, anna).allowed, true);
    assert.equal(evaluateAudience(rule, gina).allowed, false);
  });

  test('guests excluded even when they are in the right group', () => {
    const rule = compileAudienceRule(
      "user.userType != 'Guest' && '11111111-1111-4111-8111-111111111111' in user.groups",
    );
    assert.equal(evaluateAudience(rule, anna).allowed, true);
    assert.equal(evaluateAudience(rule, gina).allowed, false);
  });

  test('an empty rule lets everyone in, guests included', () => {
    const rule = compileAudienceRule('');
    for (const user of [anna, bob, gina]) assert.deepEqual(evaluateAudience(rule, user), { allowed: true });
  });

  test('null Graph attributes read as empty strings, so rules over them do not error', () => {
    assert.deepEqual(allowed("user.department == 'Sales'", gina), { allowed: false });
    assert.deepEqual(allowed("user.department == ''", gina), { allowed: true });
    assert.deepEqual(allowed('size(user.roles) == 0', gina), { allowed: true });
  });

  test('a runtime type error fails closed with a positioned error instead of throwing', () => {
    // Compiles (jobTitle is a string, int() accepts strings) but no title here is a number.
    const decision = allowed("user.country == 'DE' && int(user.jobTitle) > 3", anna);
    assert.equal(decision.allowed, false);
    assert.equal(decision.error?.code, 'validation_failed');
    assert.match(decision.error?.message ?? '', /Audience rule failed at 1:25: /);
    const mismatch = allowed('user.department > 3', anna);
    assert.equal(mismatch.allowed, false);
    assert.match(mismatch.error?.message ?? '', /no matching overload/);
  });

  test('an error on one side of || is absorbed when the other side decides (CEL semantics)', () => {
    assert.deepEqual(allowed("user.department == 'Sales' || int(user.jobTitle) > 3", anna), {
      allowed: true,
    });
  });

  test('a dyn result that is not a bool fails closed', () => {
    // dyn() hides the type from the save-time check, so only the run can catch it.
    const decision = allowed('dyn(user.department)', anna);
    assert.equal(decision.allowed, false);
    assert.match(decision.error?.message ?? '', /non-bool/);
  });

  test('malformed or oversized input fails closed instead of throwing', () => {
    const rule = compileAudienceRule("'x' in user.groups");
    const many = Array.from({ length: POLICY_LIMITS.maxListItems + 1 }, (_, i) => `g${i}`);
    const tooMany = evaluateAudience(rule, { ...anna, groups: many });
    assert.equal(tooMany.allowed, false);
    assert.match(tooMany.error?.message ?? '', /user\.groups has 5001 items/);
    const wrongType = evaluateAudience(rule, { ...anna, groups: [42] as unknown as string[] });
    assert.equal(wrongType.allowed, false);
    assert.match(wrongType.error?.message ?? '', /must hold strings/);
    assert.equal(evaluateAudience(rule, { ...anna, groups: [...many.slice(2), 'x'] }).allowed, true);
  });
});

describe('a dozen realistic audience rules against three users', () => {
  // [rule, anna (Sales DE member), bob (IT US admin), gina (guest, null attributes)]
  const table: readonly (readonly [string, boolean, boolean, boolean])[] = [
    ["user.department == 'Sales' && user.country in ['DE','FR']", true, false, false],
    ["'11111111-1111-4111-8111-111111111111' in user.groups", true, false, true],
    ["user.mail.endsWith('@contoso.com')", true, true, false],
    ["user.userType == 'Member'", true, true, false],
    ["'trellis.admin' in user.roles", false, true, false],
    ["user.groupNames.exists(n, n.startsWith('Sales'))", true, false, true],
    ["user.userType == 'Member' && user.groupNames.exists(n, n.startsWith('Sales'))", true, false, false],
    ["user.country in ['US', 'CA'] || user.department == 'IT'", false, true, false],
    ["user.jobTitle.lowerAscii().contains('engineer')", false, true, false],
    ["user.officeLocation.matches('^(Berlin|Munich)$')", true, false, false],
    ["!(user.department in ['Legal', 'HR']) && user.mail != ''", true, true, true],
    ["size(user.groups) >= 2 || has(user.department) && user.department == ''", false, true, true],
    ["user.displayName.split(' ').size() == 2 && user.country != ''", true, true, false],
  ];
  const users = [SAMPLE_USERS.anna, SAMPLE_USERS.bob, SAMPLE_USERS.gina] as const;

  for (const [expression, ...expected] of table) {
    test(expression, () => {
      const rule = compileAudienceRule(expression);
      const decisions = users.map((user) => evaluateAudience(rule, user));
      for (const d of decisions) assert.equal(d.error, undefined, d.error?.message);
      assert.deepEqual(
        decisions.map((d) => d.allowed),
        expected,
      );
    });
  }
});
