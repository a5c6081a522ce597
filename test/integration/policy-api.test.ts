import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { upn } from '../helpers/provisioning.ts';
import { startTestTrellis, type TestTrellis } from '../helpers/trellis.ts';
import { getUserToken } from '../helpers/user-token.ts';

// The policy tools behind Admin → Naming and approval, over HTTPS with real sandbox tokens: draft
// naming rules previewed in a template's context (its metadata fields), and CEL rules tried against
// a directory user.

const SAMPLE_METADATA = {
  dataClassification: 'internal',
  costCenter: 'CC-1234',
  projectCode: 'ABC-2026',
  endDate: '2030-06-30',
};

describe('policy tools API (naming preview of draft rules, rule tester)', () => {
  let trellis: TestTrellis;
  let manager: string;
  let requester: string;

  before(async () => {
    trellis = await startTestTrellis({}, { sandbox: true });
    manager = await getUserToken(trellis, upn('lynne.robbins'));
    requester = await getUserToken(trellis, upn('adele.vance'));
  });
  after(() => trellis?.close());

  const post = async (token: string, path: string, body: unknown) => {
    const res = await trellis.fetch(`/api/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  test('draft rules of a template render with its metadata fields', async () => {
    const res = await post(manager, '/naming/preview', {
      template: 'project',
      rules: {
        displayName: 'PRJ {{ metadata.projectCode }} - {{ request.name | upcase }}',
        description: 'Cost center {{ metadata.costCenter }}',
      },
      name: 'Apollo',
      metadata: SAMPLE_METADATA,
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const names = res.body.names as { displayName: string; description: string; mailNickname: string };
    assert.equal(names.displayName, 'PRJ ABC-2026 - APOLLO');
    assert.equal(names.description, 'Cost center CC-1234');
    // The saved template is untouched: without draft rules, its own rules render.
    const saved = await post(manager, '/naming/preview', {
      template: 'project',
      name: 'Apollo',
      metadata: SAMPLE_METADATA,
    });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.match((saved.body.names as { displayName: string }).displayName, /^PRJ - Apollo/);
  });

  test('draft rules are checked against the template: an unknown field is refused at its rule', async () => {
    const res = await post(manager, '/naming/preview', {
      template: 'project',
      rules: { displayName: '{{ metadata.nope }} {{ request.name }}' },
      name: 'Apollo',
      metadata: SAMPLE_METADATA,
    });
    assert.equal(res.status, 400);
    const issues = (res.body.errors as { issues: { path: string; message: string }[] }).issues;
    assert.ok(issues.some((i) => i.path === '/naming/displayName' && /metadata\.nope/.test(i.message)));
    // Outside a template, the same metadata variable is unknown too: raw rules see no fields.
    const raw = await post(manager, '/naming/preview', {
      rules: { displayName: '{{ metadata.projectCode }}' },
      name: 'Apollo',
    });
    assert.equal(raw.status, 400);
    const neither = await post(manager, '/naming/preview', { name: 'Apollo' });
    assert.equal(neither.status, 400);
  });

  test('a requester previews a template, never raw or draft rules', async () => {
    const res = await post(requester, '/naming/preview', {
      template: 'project',
      rules: { displayName: '{{ request.name }}' },
      name: 'Apollo',
      metadata: SAMPLE_METADATA,
    });
    assert.equal(res.status, 403);
  });

  test('the rule tester decides for a directory user and positions a compile error', async () => {
    const allowed = await post(manager, '/rules/test', {
      kind: 'audience',
      expression: "user.department == 'Engineering'",
      user: upn('adele.vance'),
    });
    assert.equal(allowed.status, 200, JSON.stringify(allowed.body));
    assert.equal(allowed.body.valid, true);
    assert.equal(allowed.body.allowed, true);
    assert.equal((allowed.body.user as { displayName: string }).displayName, 'Adele Vance');
    const invalid = await post(manager, '/rules/test', {
      kind: 'audience',
      expression: "usr.department == 'Sales'",
      user: upn('adele.vance'),
    });
    assert.equal(invalid.status, 200);
    assert.equal(invalid.body.valid, false);
    const error = invalid.body.error as {
      message: string;
      details: { position: { line: number; column: number } };
    };
    assert.match(error.message, /unknown variable 'usr'/);
    assert.deepEqual(error.details.position, { offset: 0, line: 1, column: 1 });
    const approvers = await post(manager, '/rules/test', {
      kind: 'approver',
      expression: "request.metadata.budget > 1000 ? ['cfo@contoso.com'] : [request.requester.mail]",
      user: upn('adele.vance'),
      templateSlug: 'project',
      metadata: { budget: 5000 },
    });
    assert.equal(approvers.status, 200, JSON.stringify(approvers.body));
    assert.deepEqual(approvers.body.approvers, ['cfo@contoso.com']);
    // Requesters cannot use the tester (templates:write).
    const refused = await post(requester, '/rules/test', {
      kind: 'audience',
      expression: 'true',
      user: upn('adele.vance'),
    });
    assert.equal(refused.status, 403);
  });
});
