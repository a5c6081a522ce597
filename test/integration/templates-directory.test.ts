import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CONTOSO_DOMAIN, CONTOSO_TENANT_ID } from '../../sandbox/state/seed-contoso.ts';
import { callApi, type TestTenant } from '../helpers/api.ts';
import { startTestTrellis, type TestTrellis } from '../helpers/trellis.ts';

const upn = (nick: string) => `${nick}@${CONTOSO_DOMAIN}`;

/**
 * What needs the directory, over the real stack with the Contoso sandbox: naming preview with a
 * conflict against a seeded group, rule testing against real users, audience decisions, people fields.
 */
describe('templates with the directory (Contoso sandbox)', () => {
  let trellis: TestTrellis;
  let contoso: TestTenant;

  before(async () => {
    trellis = await startTestTrellis({}, { sandbox: true });
    // Embedded mode onboards Contoso and seeds its starter catalog; a token of that tenant is enough.
    const tenant = await trellis.running.db.withPlatform((tx) =>
      tx
        .selectFrom('tenants')
        .select(['tenant_id', 'slug'])
        .where('entra_tenant_id', '=', CONTOSO_TENANT_ID)
        .executeTakeFirstOrThrow(),
    );
    const created = await trellis.running.domain.tokens.create(tenant.tenant_id, {
      name: 'templates test',
      scopes: ['catalog:read', 'templates:write'],
      actor: { type: 'system', id: 'test' },
    });
    contoso = {
      tenantId: tenant.tenant_id,
      slug: tenant.slug,
      token: created.token,
      call: (method, path, body, headers) => callApi(trellis, created.token, method, path, body, headers),
    };
  });
  after(() => trellis.close());

  test('naming preview: a name taken by a seeded group is a conflict, with a free nickname proposed', async () => {
    const preview = await contoso.call('POST', '/api/v1/naming/preview', {
      rules: { displayName: '{{ request.name }}', mailNickname: '{{ request.name | slug }}' },
      name: 'Marketing',
      requester: upn('patti.fernandez'),
    });
    assert.equal(preview.status, 200, JSON.stringify(preview.body));
    assert.deepEqual(preview.body.names, { displayName: 'Marketing', mailNickname: 'marketing' });
    assert.deepEqual(preview.body.conflicts.map((c: { field: string }) => c.field).sort(), [
      'displayName',
      'mailNickname',
    ]);
    assert.equal(preview.body.proposedMailNickname, 'marketing-2');

    const free = await contoso.call('POST', '/api/v1/naming/preview', {
      rules: { displayName: '{{ request.name }}' },
      name: 'Brand new initiative',
    });
    assert.deepEqual(free.body.conflicts, []);
    assert.equal(free.body.proposedMailNickname, free.body.names.mailNickname);
  });

  test("naming preview of a template renders the requester's profile and validated metadata", async () => {
    const preview = await contoso.call('POST', '/api/v1/naming/preview', {
      template: 'project',
      name: 'Apollo',
      requester: upn('lee.gu'),
      metadata: {
        costCenter: 'CC-1234',
        dataClassification: 'internal',
        projectCode: 'APO-2026',
        endDate: '2026-12-31',
        sponsor: upn('megan.bowen'),
      },
    });
    assert.equal(preview.status, 200, JSON.stringify(preview.body));
    assert.equal(preview.body.names.displayName, 'PRJ - Apollo (Engineering)');
    assert.equal(preview.body.names.mailNickname, 'prj-apollo');
    assert.match(preview.body.names.welcomeMessage, /Sponsor: megan\.bowen@/);
    assert.deepEqual(preview.body.violations, []);

    const invalid = await contoso.call('POST', '/api/v1/naming/preview', {
      template: 'project',
      name: 'Apollo',
      requester: upn('lee.gu'),
      metadata: { costCenter: 'nope', sponsor: 'nobody@nowhere.example' },
    });
    assert.equal(invalid.status, 400);
    assert.deepEqual(Object.keys(invalid.body.errors.fields).sort(), [
      'costCenter',
      'dataClassification',
      'endDate',
      'projectCode',
      'sponsor',
    ]);
  });

  test('rules/test: an audience rule and an approver rule against directory users', async () => {
    const sales = await contoso.call('POST', '/api/v1/rules/test', {
      kind: 'audience',
      expression: "user.department == 'Sales' || 'Sales EMEA' in user.groupNames",
      user: upn('johanna.lorenz'),
    });
    assert.equal(sales.status, 200, JSON.stringify(sales.body));
    assert.equal(sales.body.valid, true);
    assert.equal(sales.body.allowed, true);
    assert.ok(sales.body.user.groupNames.includes('Sales EMEA'));

    const engineer = await contoso.call('POST', '/api/v1/rules/test', {
      kind: 'audience',
      expression: "user.department == 'Sales'",
      user: upn('adele.vance'),
    });
    assert.equal(engineer.body.allowed, false);

    const broken = await contoso.call('POST', '/api/v1/rules/test', {
      kind: 'audience',
      expression: 'user.departmnet == 1',
      user: upn('adele.vance'),
    });
    assert.equal(broken.body.valid, false);
    assert.match(broken.body.error.message, /departmnet/);

    const approvers = await contoso.call('POST', '/api/v1/rules/test', {
      kind: 'approver',
      expression:
        "request.metadata.dealSize > 100000 ? ['debra.berger@contoso.onmicrosoft.com'] : ['alex.wilber@contoso.onmicrosoft.com']",
      user: upn('johanna.lorenz'),
      metadata: { dealSize: 250000 },
    });
    assert.equal(approvers.status, 200, JSON.stringify(approvers.body));
    assert.deepEqual(approvers.body.approvers, ['debra.berger@contoso.onmicrosoft.com']);

    const unknown = await contoso.call('POST', '/api/v1/rules/test', {
      kind: 'audience',
      expression: 'true',
      user: 'nobody@contoso.onmicrosoft.com',
    });
    assert.equal(unknown.status, 404);
  });

  test('audience: the sales deal room is for Sales people and members of Sales EMEA only', async () => {
    const templates = trellis.running.domain.templates;
    const directory = trellis.running.domain.directory.forTenant(CONTOSO_TENANT_ID);
    const room = await templates.getForRequest(contoso.tenantId, 'sales-deal-room');
    const seller = await directory.getPolicyUser(upn('enrico.cattaneo'));
    const engineer = await directory.getPolicyUser(upn('lukas.schmidt'));
    assert.ok(seller && engineer);
    assert.equal(templates.isInAudience(contoso.tenantId, room.document, seller), true);
    assert.equal(templates.isInAudience(contoso.tenantId, room.document, engineer), false);
    // Fail closed: a rule that errors at run time hides the template.
    const broken = {
      ...room.document,
      audience: { rule: "user.department.startsWith('S') == (1 / 0 == 1)" },
    };
    assert.equal(templates.isInAudience(contoso.tenantId, broken, seller), false);
  });

  test('person metadata resolves to the UPN through the directory; unknown people are refused', async () => {
    const templates = trellis.running.domain.templates;
    const room = await templates.getForRequest(contoso.tenantId, 'sales-deal-room');
    const directory = trellis.running.domain.directory.forTenant(CONTOSO_TENANT_ID);
    const alex = await directory.getUser(upn('alex.wilber'));
    assert.ok(alex);
    const values = await templates.validateMetadata(
      contoso.tenantId,
      room.document,
      {
        dataClassification: 'confidential',
        customerName: 'Fabrikam',
        opportunityId: 'OPP-123456',
        dealSize: '150000',
        closeDate: '2026-06-30',
        region: 'emea',
        accountManager: alex.id,
      },
      CONTOSO_TENANT_ID,
    );
    assert.equal(values['accountManager'], upn('alex.wilber'));
    assert.equal(values['dealSize'], 150000);
  });
});
