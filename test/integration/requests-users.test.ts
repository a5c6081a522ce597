import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { CONTOSO_TENANT_ID } from '../../sandbox/state/seed-contoso.ts';
import { createTestTenant, type TestTenant } from '../helpers/api.ts';
import { startTestTrellis, type TestTrellis } from '../helpers/trellis.ts';
import { signInAs, type TestUser } from '../helpers/user-token.ts';

// The whole approval path with people of the Contoso directory, signed in through the sandbox's
// Entra: the requester's manager approves (editing the request), then a CEL rule names finance.

const DOMAIN = 'contoso.onmicrosoft.com';
const upn = (nick: string) => `${nick}@${DOMAIN}`;

describe('requests decided by directory users (manager, then a rule)', () => {
  let trellis: TestTrellis;
  let admin: TestTenant;
  let adele: TestUser; // Software Engineer; manager Grady Archie
  let grady: TestUser;
  let debra: TestUser; // CFO, named by the rule for Engineering requests
  let nestor: TestUser; // Marketing: outside the template's audience
  const slug = `atlas-${randomUUID().slice(0, 8)}`;

  before(async () => {
    trellis = await startTestTrellis({}, { sandbox: true });
    admin = await createTestTenant(trellis, { entraTenantId: CONTOSO_TENANT_ID });
    const created = await admin.call('POST', '/api/v1/templates', {
      document: {
        schemaVersion: 1,
        slug,
        name: 'Engineering project',
        minimumOwners: 1,
        audience: { rule: "user.department == 'Engineering'" },
        naming: { displayName: 'ENG {{ request.name }}' },
        approval: {
          stages: [
            { name: 'Manager', approvers: [{ type: 'manager' }], allowEdit: true },
            {
              name: 'Finance',
              approvers: [
                {
                  type: 'rule',
                  expression: `request.requester.department == 'Engineering' ? '${upn('debra.berger')}' : '${upn('irvin.sayers')}'`,
                },
              ],
              allowEdit: false,
            },
          ],
          reminderAfterHours: 24,
          expireAfterDays: 7,
        },
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    adele = await signInAs(trellis, upn('adele.vance'));
    grady = await signInAs(trellis, upn('grady.archie'));
    debra = await signInAs(trellis, upn('debra.berger'));
    nestor = await signInAs(trellis, upn('nestor.wilke'));
  });
  after(() => trellis.close());

  test('the manager approves with an edit, the rule names finance, finance approves', async () => {
    const outside = await nestor.call('POST', '/api/v1/requests', {
      template: slug,
      name: 'Nope',
      metadata: { dataClassification: 'internal' },
    });
    assert.equal(outside.status, 404, 'outside the audience the template does not exist');

    const created = await adele.call('POST', '/api/v1/requests', {
      template: slug,
      name: `Atlas ${slug}`,
      // A field of the demo tenant that applies to every template.
      metadata: { dataClassification: 'internal' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const request = created.body;
    assert.equal(request.names.displayName, `ENG Atlas ${slug}`);
    assert.equal(request.stages[0].approvers.length, 1);
    assert.equal(request.stages[0].approvers[0].userPrincipalName, upn('grady.archie'));
    assert.equal(request.stages[0].approvers[0].via, 'manager');
    assert.equal(request.requester.name, 'Adele Vance');
    assert.equal(request.owners[0], request.requester.id, 'the requester owns the team');

    const own = await adele.call('POST', `/api/v1/requests/${request.requestId}/approve`, {});
    assert.equal(own.status, 403, 'nobody approves their own request');
    const stranger = await debra.call('POST', `/api/v1/requests/${request.requestId}/approve`, {});
    assert.equal(stranger.status, 404, 'a user not involved does not even see the request');
    const hidden = await nestor.call('GET', `/api/v1/requests/${request.requestId}`);
    assert.equal(hidden.status, 404);

    const waiting = await grady.call('GET', '/api/v1/approvals');
    assert.ok(waiting.body.items.some((r: { requestId: string }) => r.requestId === request.requestId));
    const mine = await adele.call('GET', '/api/v1/approvals');
    assert.ok(!mine.body.items.some((r: { requestId: string }) => r.requestId === request.requestId));

    const byManager = await grady.call('POST', `/api/v1/requests/${request.requestId}/approve`, {
      comment: 'Shorter name please',
      edits: { name: `Atlas ${slug} v2` },
    });
    assert.equal(byManager.status, 200, JSON.stringify(byManager.body));
    assert.equal(byManager.body.currentStage, 1);
    assert.equal(byManager.body.names.displayName, `ENG Atlas ${slug} v2`);
    assert.equal(byManager.body.stages[0].decidedBy.name, 'Grady Archie');
    const finance = byManager.body.stages[1].approvers;
    assert.deepEqual(
      finance.map((a: { userPrincipalName: string; via: string }) => [a.userPrincipalName, a.via]),
      [[upn('debra.berger'), 'rule']],
    );

    const seen = await debra.call('GET', `/api/v1/requests/${request.requestId}`);
    assert.equal(seen.status, 200, 'a named approver sees the request');
    const done = await debra.call('POST', `/api/v1/requests/${request.requestId}/approve`, { stage: 1 });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body.status, 'approved');

    const timeline = await adele.call('GET', `/api/v1/requests/${request.requestId}/activity`);
    const edit = timeline.body.items.find((a: { kind: string }) => a.kind === 'edited');
    assert.equal(edit.actor.name, 'Grady Archie');
    assert.deepEqual(edit.diff.changes, [
      { field: 'name', before: `Atlas ${slug}`, after: `Atlas ${slug} v2` },
    ]);
    const audit = await admin.call('GET', `/api/v1/audit?targetType=request&targetId=${request.requestId}`);
    const actions = audit.body.items.map((e: { action: string }) => e.action);
    for (const action of [
      'request.created',
      'request.submitted',
      'request.edited',
      'approval.approved',
      'request.approved',
    ]) {
      assert.ok(actions.includes(action), `${action} is in the audit trail (${actions.join(', ')})`);
    }
  });
});
