import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileApproverRule } from './compile-rule.ts';
import { evaluateApprovers } from './evaluate-approvers.ts';
import { type ApproverContext, type PolicyUser } from './policy-input.ts';
import { SAMPLE_USERS } from './sample-users.ts';

const context = (
  metadata: Record<string, unknown> = {},
  requester: PolicyUser = SAMPLE_USERS.anna,
): ApproverContext => ({
  request: { templateSlug: 'project-team', metadata, requester },
});
const approvers = (expression: string, ctx: ApproverContext = context()) =>
  evaluateApprovers(compileApproverRule(expression), ctx);

describe('evaluateApprovers', () => {
  test('a rule returning a string yields one approver', () => {
    assert.deepEqual(approvers("'it-approvals@contoso.com'"), {
      ok: true,
      approvers: ['it-approvals@contoso.com'],
    });
  });

  test('a rule returning a list, chosen by requester attributes', () => {
    const rule =
      "request.requester.country == 'DE' ? ['works-council@contoso.com', request.metadata.owner] : [request.metadata.owner]";
    assert.deepEqual(approvers(rule, context({ owner: 'olga@contoso.com' })), {
      ok: true,
      approvers: ['works-council@contoso.com', 'olga@contoso.com'],
    });
    assert.deepEqual(approvers(rule, context({ owner: 'olga@contoso.com' }, SAMPLE_USERS.bob)), {
      ok: true,
      approvers: ['olga@contoso.com'],
    });
  });

  test('duplicates are removed case-insensitively, first spelling and order kept', () => {
    const result = approvers(
      "['Olga@Contoso.com', 'it@contoso.com', 'olga@contoso.com', ' it@contoso.com ', request.metadata.owner]",
      context({ owner: 'OLGA@contoso.com' }),
    );
    assert.deepEqual(result, { ok: true, approvers: ['Olga@Contoso.com', 'it@contoso.com'] });
  });

  test('metadata lists and comprehensions work', () => {
    const result = approvers(
      "request.metadata.owners.filter(o, o.endsWith('@contoso.com'))",
      context({ owners: ['a@contoso.com', 'x@evil.example', 'b@contoso.com'] }),
    );
    assert.deepEqual(result, { ok: true, approvers: ['a@contoso.com', 'b@contoso.com'] });
  });

  test('a missing metadata key is a typed error, not a throw', () => {
    const result = approvers('request.metadata.owner');
    assert.equal(result.ok, false);
    assert.ok(!result.ok && result.error.code === 'validation_failed');
    assert.match(!result.ok ? result.error.message : '', /Approver rule failed at 1:17: .*owner/);
  });

  test('fails closed: empty lists, empty strings and non-strings never mean "no approval needed"', () => {
    const failing = [
      ['[]', {}, /no approvers/],
      [
        "request.metadata.owners.filter(o, o.endsWith('@x.com'))",
        { owners: ['a@contoso.com'] },
        /no approvers/,
      ],
      ["''", {}, /empty approver/],
      ['request.metadata.owner', { owner: 7 }, /string or a list/],
      ['[request.metadata.owner]', { owner: true }, /non-string/],
    ] as const;
    for (const [expression, metadata, message] of failing) {
      const result = approvers(expression, context(metadata));
      assert.equal(result.ok, false, expression);
      assert.match(!result.ok ? result.error.message : '', message, expression);
    }
  });

  test('more than the approver limit is refused', () => {
    const owners = Array.from({ length: 101 }, (_, i) => `u${i}@contoso.com`);
    const result = approvers('request.metadata.owners', context({ owners }));
    assert.match(!result.ok ? result.error.message : '', /101 approvers; at most 100/);
  });

  test('metadata values rules cannot read are reported, not thrown', () => {
    const result = approvers('request.metadata.owner', context({ owner: new Date(0) }));
    assert.match(
      !result.ok ? result.error.message : '',
      /request\.metadata\.owner holds a value rules cannot read/,
    );
  });
});
